"""Producer side: create_module_spec + add_signature + attach_message + Module.export.

Usage: python export_module.py OUTPUT_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def module_fn(is_training=False):
    x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    w = tf.compat.v1.get_variable(
        "layer/w", [2, 3], initializer=tf.compat.v1.constant_initializer([[1, 2, 3], [4, 5, 6]]))
    emb = tf.compat.v1.get_variable(
        "emb", [6, 3], initializer=tf.compat.v1.random_uniform_initializer(-1.0, 1.0, seed=3),
        partitioner=tf.compat.v1.fixed_size_partitioner(2))
    counter = tf.compat.v1.get_variable("counter", [], initializer=tf.compat.v1.zeros_initializer(),
                                        trainable=False)
    y = tf.matmul(x, w)
    if is_training:
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS,
                                       tf.compat.v1.assign_add(counter, 1.0))
        y = y * 0.5
    ids = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
    hub.add_signature(inputs=x, outputs={"default": y, "sum": tf.reduce_sum(y, 1)})
    hub.add_signature("lookup", inputs={"ids": ids},
                      outputs=tf.compat.v1.nn.embedding_lookup(emb, ids))
    hub.attach_message("image_module_info", hub.ImageModuleInfo(
        default_image_size=hub.ImageModuleInfo.InputSize(height=3, width=2)))
    hub.attach_image_module_info(hub.ImageModuleInfo(
        default_image_size=hub.ImageModuleInfo.InputSize(height=5, width=7)))


def main(path):
    spec = hub.create_module_spec(
        module_fn, tags_and_args=[(set(), {}), ({"train"}, {"is_training": True})])
    print("tags:", sorted(sorted(t) for t in spec.get_tags()))
    print("signatures:", sorted(spec.get_signature_names()))
    print("lookup inputs:", spec.get_input_info_dict("lookup"))
    print("size:", hub.get_expected_image_size(spec))
    with tf.Graph().as_default():
        m = hub.Module(spec, name="producer")
        y = m([[1.0, 1.0]])
        print("map:", sorted((k, isinstance(v, list)) for k, v in m.variable_map.items()))
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            print("y:", fmt(session.run(y)))
            session.run(tf.compat.v1.assign(m.variable_map["layer/w"], [[1, 0, 0], [0, 1, 0]]))
            m.export(path, session)
    print("exported")


if __name__ == "__main__":
    main(sys.argv[1])
