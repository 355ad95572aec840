"""Written here in the pattern of "ELMo embeddings in Keras" (2018) and the many scripts
copied from it: a Keras Lambda around hub.Module('.../elmo/2'), the Session set on Keras."""
import numpy as np
import tensorflow as tf
import tensorflow_hub as hub
from tensorflow.keras.layers import Dense, Input, Lambda
from tensorflow.keras.models import Model

sess = tf.Session()
tf.keras.backend.set_session(sess)

elmo_model = hub.Module("https://tfhub.dev/google/elmo/2", trainable=True)


def ElmoEmbedding(x):
    return elmo_model(tf.squeeze(tf.cast(x, tf.string), axis=1), signature="default",
                      as_dict=True)["default"]


input_text = Input(shape=(1,), dtype=tf.string)
embedding = Lambda(ElmoEmbedding, output_shape=(1024,))(input_text)
dense = Dense(8, activation="relu",
              kernel_initializer=tf.keras.initializers.glorot_uniform(seed=1))(embedding)
pred = Dense(1, activation="sigmoid",
             kernel_initializer=tf.keras.initializers.glorot_uniform(seed=2))(dense)
model = Model(inputs=[input_text], outputs=pred)
model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])

sess.run(tf.global_variables_initializer())
sess.run(tf.tables_initializer())
texts = np.array(["the cat is on the mat", "dogs are in the fog", "a great movie"],
                 dtype=object)[:, np.newaxis]
print(model.predict(texts))
print(sess.run(elmo_model(["the cat is on the mat"], signature="default",
                          as_dict=True)["word_emb"])[0, :2, :4])
