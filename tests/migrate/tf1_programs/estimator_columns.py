"""TF1 pattern: text_embedding_column feeding a canned Estimator (not on TF >= 2.16)."""

import tensorflow as tf
import tensorflow_hub as hub


def run(module_path, ref):
    column = hub.text_embedding_column(key="sentence", module_spec=module_path)
    estimator = tf.estimator.DNNClassifier(hidden_units=[4], feature_columns=[column])
    tf.logging.set_verbosity(tf.logging.ERROR)
    return {"estimator": estimator}
