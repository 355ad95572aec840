"""TF1 graph code: embed sentences with a Hub module in a Session."""
import tensorflow as tf
import tensorflow_hub as hub


def embed_sentences(module_path, sentences):
    with tf.Graph().as_default():
        embed = hub.Module(module_path)
        vectors = embed(tf.constant(sentences))
        with tf.compat.v1.Session() as sess:
            sess.run([tf.compat.v1.global_variables_initializer(),
                      tf.compat.v1.tables_initializer()])
            return sess.run(vectors)
