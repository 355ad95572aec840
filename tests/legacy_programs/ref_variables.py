"""A module with reference (non-resource) variables, called twice; two instances.

Usage: python ref_variables.py REF_VARIABLES_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def main(module_dir):
    x1 = tf.constant([[1.0, 2.0, 3.0]])
    x2 = tf.compat.v1.placeholder(tf.float32, [None, 3])
    with tf.compat.v1.variable_scope("outer"):
        m = hub.Module(module_dir)
    y1 = m(x1)
    y2 = m(x2)
    scaled = m({"x": x1, "scale": 2.0}, signature="scaled", as_dict=True)
    other = hub.Module(module_dir)
    y3 = other(x1)
    print("names:", y1.name, y2.name, y3.name)
    print("scaled:", sorted((k, v.name) for k, v in scaled.items()))
    print("variables:", [v.name for v in m.variables], [v.name for v in other.variables])
    print("map:", sorted(m.variable_map))
    print("global:", len(tf.compat.v1.global_variables()))
    assign = tf.compat.v1.assign(m.variable_map["linear/b"], [1.0, -1.0])
    with tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        print("y1:", fmt(session.run(y1)))
        print("y2:", fmt(session.run(y2, {x2: [[0.5, 0.0, -1.0], [1.0, 1.0, 1.0]]})))
        print("scaled:", fmt(session.run(scaled["default"])), fmt(session.run(scaled["bias"])))
        session.run(assign)
        print("after assign y1:", fmt(session.run(y1)))
        print("after assign y2:", fmt(session.run(y2, {x2: [[0.0, 0.0, 0.0]]})))
        print("other y3:", fmt(session.run(y3)))


if __name__ == "__main__":
    main(sys.argv[1])
