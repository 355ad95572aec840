"""TF1 + tf.keras pattern (the ELMo tutorial's): a Keras Lambda around hub.Module, in a Session."""

import tensorflow as tf
import tensorflow_hub as hub
from tensorflow.keras import backend as K


def run(module_path, ref):
    sentences = [s.decode() for s in ref["input/default/default"]]
    sess = tf.Session()
    K.set_session(sess)
    embed = hub.Module(module_path, trainable=True)

    def embedding(x):
        return embed(tf.squeeze(tf.cast(x, tf.string), axis=1))

    inputs = tf.keras.layers.Input(shape=(1,), dtype="string")
    vectors = tf.keras.layers.Lambda(embedding, output_shape=(6,))(inputs)
    dense = tf.keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")
    model = tf.keras.models.Model(inputs=inputs, outputs=[vectors, dense(vectors)])
    model.compile(loss="mse", optimizer="sgd")
    sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
    got, summed = model.predict(np.array(sentences, dtype=object)[:, None])
    expected = ref["infer/default/default"]
    return {"vectors": [got, expected], "dense": [summed[:, 0], expected.sum(axis=1)]}


import numpy as np  # noqa: E402  (the tutorials import late too)
