"""Consumer side of export_module.py: loads the exported module and runs it.

Usage: python use_exported.py EXPORTED_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def main(path):
    spec = hub.load_module_spec(path)
    print("tags:", sorted(sorted(t) for t in spec.get_tags()))
    for tags in ({"train"}, set()):
        print(sorted(tags), sorted(spec.get_signature_names(tags)),
              sorted(spec.get_output_info_dict(tags=tags).items()))
    print("size:", hub.get_expected_image_size(spec))
    with tf.Graph().as_default():
        m = hub.Module(spec, tags={"train"}, trainable=True)
        y = m([[1.0, 2.0]], as_dict=True)
        ids = m(np.array([0, 5, 3]), signature="lookup")
        updates = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        print("updates:", len(updates))
        print("map:", sorted((k, [p.name for p in v] if isinstance(v, list) else v.name)
                             for k, v in m.variable_map.items()))
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            print("y:", {k: fmt(v) for k, v in sorted(session.run(y).items())})
            print("ids:", fmt(session.run(ids)))
            session.run(updates)
            session.run(updates)
            print("counter:", session.run(m.variable_map["counter"]))


if __name__ == "__main__":
    main(sys.argv[1])
