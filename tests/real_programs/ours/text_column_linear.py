"""Written here in the pattern of the 2018 "text classification with TF-Hub" tutorial:
hub.text_embedding_column in an Estimator fed by an input_fn. LinearClassifier starts from zero
weights, so every run trains the same model."""
import shutil
import tempfile

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.logging.set_verbosity(tf.logging.ERROR)

sentences = np.array(["a great movie", "the movie was great", "a lazy dog",
                      "the fog is on the mat", "great great movie", "the dog is lazy"])
polarity = np.array([1, 1, 0, 0, 1, 0])

train_input_fn = tf.estimator.inputs.numpy_input_fn(
    {"sentence": sentences}, polarity, num_epochs=None, shuffle=False, batch_size=3)
predict_input_fn = tf.estimator.inputs.numpy_input_fn(
    {"sentence": sentences}, polarity, shuffle=False)

embedded_text_feature_column = hub.text_embedding_column(
    key="sentence", module_spec="https://tfhub.dev/google/nnlm-en-dim128/1")

model_dir = tempfile.mkdtemp()
estimator = tf.estimator.LinearClassifier(
    feature_columns=[embedded_text_feature_column], n_classes=2,
    optimizer=tf.train.GradientDescentOptimizer(learning_rate=0.5), model_dir=model_dir)
estimator.train(input_fn=train_input_fn, steps=4)
for prediction in estimator.predict(input_fn=predict_input_fn):
    print(prediction["class_ids"][0], prediction["probabilities"])
print(estimator.get_variable_value("linear/linear_model/bias_weights"))
shutil.rmtree(model_dir)
