"""TF1 tutorial pattern: hub.Module in a tf.Session, strings fed through a placeholder."""

import tensorflow as tf
import tensorflow_hub as hub


def run(module_path, ref):
    sentences = [s.decode() for s in ref["input/default/default"]]
    with tf.Graph().as_default():
        text = tf.placeholder(tf.string, shape=[None])
        embed = hub.Module(module_path)
        vectors = embed(text)
        norms = tf.reduce_sum(tf.square(vectors), axis=1)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            got, got_norms = sess.run([vectors, norms], {text: sentences})
    expected = ref["infer/default/default"]
    return {"vectors": [got, expected], "norms": [got_norms, (expected ** 2).sum(axis=1)]}
