"""TF1 + tf.contrib.slim: a slim layer on a hub.Module's output, and tf.layers beside it."""

import tensorflow as tf
import tensorflow_hub as hub

slim = tf.contrib.slim


def run(module_path, ref):
    sentences = [s.decode() for s in ref["input/default/default"]]
    with tf.Graph().as_default():
        embed = hub.Module(module_path)
        vectors = embed(tf.constant(sentences))
        summed = slim.fully_connected(
            vectors, 1, activation_fn=None,
            weights_initializer=tf.ones_initializer(), biases_initializer=tf.zeros_initializer(),
        )
        doubled = tf.layers.dense(
            vectors, 1, kernel_initializer=tf.constant_initializer(2.0), use_bias=False
        )
        init = tf.contrib.layers.xavier_initializer(seed=1)
        tf.get_variable("unused", shape=[2, 2], initializer=init)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            got, twice = sess.run([summed, doubled])
    expected = ref["infer/default/default"].sum(axis=1)
    return {"slim": [got[:, 0], expected], "layers": [twice[:, 0], 2 * expected]}
