"""Text classification with an Estimator and a TF-Hub text embedding (TF1 tutorial style)."""
import tensorflow as tf
import tensorflow_hub as hub

MODULE = "https://tfhub.dev/google/nnlm-en-dim128/1"


def make_estimator(model_dir):
    embedded_text_feature_column = hub.text_embedding_column(
        key="sentence", module_spec=MODULE, trainable=False)
    return tf.estimator.DNNClassifier(
        hidden_units=[500, 100],
        feature_columns=[embedded_text_feature_column],
        n_classes=2,
        optimizer=tf.train.AdagradOptimizer(learning_rate=0.003),
        model_dir=model_dir)


def make_exporter(serving_input_fn):
    return hub.LatestModuleExporter("tf_hub", serving_input_fn)
