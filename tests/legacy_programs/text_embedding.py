"""Legacy text embedding: hub.Module + Session + tables_initializer.

Usage: python text_embedding.py TEXT_EMBED_MODULE_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def main(module_dir):
    sentences = tf.compat.v1.placeholder(tf.string, shape=[None])
    embed = hub.Module(module_dir)
    embeddings = embed(sentences)
    again = embed(tf.constant(["the cat"]))
    print("signatures:", sorted(embed.get_signature_names()))
    print("inputs:", embed.get_input_info_dict())
    print("outputs:", embed.get_output_info_dict())
    print("embeddings:", embeddings.shape, embeddings.dtype.name)
    for key, value in sorted(embed.variable_map.items()):
        parts = value if isinstance(value, list) else [value]
        print("variable_map:", key, [p.name for p in parts], [p.shape.as_list() for p in parts])
    print("variables:", [v.name for v in embed.variables])
    print("global:", [v.name for v in tf.compat.v1.global_variables()])
    print("trainable:", [v.name for v in tf.compat.v1.trainable_variables()])
    print("table initializers:", len(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.TABLE_INITIALIZERS)))
    with tf.compat.v1.Session() as session:
        session.run([tf.compat.v1.global_variables_initializer(),
                     tf.compat.v1.tables_initializer()])
        result = session.run(embeddings, feed_dict={
            sentences: ["the cat sat on the mat", "a dog ran", "", "unknown words only"]})
        print("result:", fmt(result))
        print("again:", fmt(session.run(again)))
        print("part_1:", fmt(session.run(embed.variable_map["embeddings"][1])))


if __name__ == "__main__":
    main(sys.argv[1])
