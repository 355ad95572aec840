"""Feature columns: text, sparse text and image embedding columns with input_layer.

Usage: python feature_columns.py TEXT_EMBED_DIR IMAGE_MODULE_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def main(text_dir, image_dir):
    text = hub.text_embedding_column("comment", text_dir)
    sparse = hub.sparse_text_embedding_column("tokens", text_dir, combiner="mean",
                                              default_value="cat")
    image = hub.image_embedding_column("pixels", image_dir)
    for column in (text, sparse, image):
        print(column.name, column.variable_shape, sorted(column.parse_example_spec.items()))
    features = {
        "comment": tf.constant([["the cat sat"], ["dog ran"]]),
        "tokens": tf.SparseTensor(indices=[[0, 0], [0, 1]], values=["cat", "mat"],
                                  dense_shape=[2, 3]),
        "pixels": tf.constant(np.linspace(0, 1, 2 * 8 * 8 * 3, dtype=np.float32).reshape(2, 8, 8, 3)),
    }
    dense = tf.compat.v1.feature_column.input_layer(features, [text, sparse, image])
    print("dense:", dense.shape)
    print("variables:", sorted(v.name for v in tf.compat.v1.global_variables()))
    try:
        hub.text_embedding_column("x", image_dir)
    except ValueError as e:
        print("ValueError:", e)
    with tf.compat.v1.Session() as session:
        session.run([tf.compat.v1.global_variables_initializer(),
                     tf.compat.v1.tables_initializer()])
        print("values:", fmt(session.run(dense)))


if __name__ == "__main__":
    main(*sys.argv[1:])
