# ELMo embeddings inside a Keras model (the popular TF1 + Keras recipe).
import tensorflow as tf
import tensorflow_hub as tfhub

ELMO = "https://tfhub.dev/google/elmo/3"


def elmo_features(tokens, lengths):
    elmo = tfhub.Module(ELMO, trainable=True)
    outputs = elmo(
        inputs={"tokens": tokens, "sequence_len": lengths},
        signature="tokens",
        as_dict=True,
    )
    return outputs["elmo"]


def sentence_vectors(sentences):
    embed = tfhub.Module(ELMO)
    return embed(sentences, signature="default", as_dict=True)["default"]


def build_model():
    text = tf.keras.Input(shape=(1,), dtype="string")
    vectors = tf.keras.layers.Lambda(lambda x: sentence_vectors(tf.squeeze(x, 1)))(text)
    return tf.keras.Model(text, tf.keras.layers.Dense(2)(vectors))
