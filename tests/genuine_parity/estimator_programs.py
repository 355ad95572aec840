"""Estimator programs written the tensorflow_hub 0.15 way, for TF <= 2.15 (tf.estimator).

    python tests/genuine_parity/estimator_programs.py [--hub hubcompat] [--write]

Each program trains an Estimator a few steps on fixed data (fixed seeds) and
returns numbers: predictions, exported predictions, exported module outputs.
With genuine tensorflow_hub 0.15 (``--write``, from the legacy_reference cell's
Python, any tensorflow-cpu 2.15.1 + tensorflow-hub 0.15.0 venv, or a TF 2.13 cell
with tensorflow-hub 0.15.0 on PYTHONPATH) they are recorded in
``estimator_genuine.json``, per TensorFlow release (random initializers differ
between releases); tests/legacy/test_estimator.py runs them with hubcompat in the TF 2.13
/ 2.15 cells and requires the numbers of the same release.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "fixtures", "tf1_modules")
RECORD = os.path.join(HERE, "estimator_genuine.json")
SENTENCES = ["the cat sat on the mat", "a dog ran", "hello world", "the dog sat"]
LABELS = [1, 0, 1, 0]


def _round(values):
    return np.round(np.asarray(values, dtype=np.float64), 5).tolist()


def _config(tf, workdir):
    return tf.estimator.RunConfig(model_dir=workdir, tf_random_seed=7, save_summary_steps=None,
                                  log_step_count_steps=1000)


def dnn_classifier_text_embedding_column(hub, tf, workdir):
    column = hub.text_embedding_column("sentence", os.path.join(FIXTURES, "text_embed"))

    def input_fn():
        return tf.data.Dataset.from_tensors(({"sentence": SENTENCES}, LABELS)).repeat(3)

    # An optimizer object: TF 2.13's canned estimators call inspect.getargspec (gone in
    # Python 3.11) for optimizer names.
    estimator = tf.estimator.DNNClassifier(
        hidden_units=[4], feature_columns=[column], config=_config(tf, workdir),
        optimizer=lambda: tf.keras.optimizers.legacy.Adagrad(learning_rate=0.05))
    estimator.train(input_fn, steps=3)
    predictions = [p["probabilities"] for p in estimator.predict(
        lambda: tf.data.Dataset.from_tensors({"sentence": SENTENCES}))]
    return {"probabilities": _round(predictions)}


def linear_classifier_image_embedding_column(hub, tf, workdir):
    column = hub.image_embedding_column("image", os.path.join(FIXTURES, "image_classifier"))
    images = np.random.RandomState(0).rand(4, 12, 16, 3).astype(np.float32)

    def input_fn():
        return tf.data.Dataset.from_tensors(({"image": images}, LABELS)).repeat(3)

    estimator = tf.estimator.LinearClassifier(
        feature_columns=[column], config=_config(tf, workdir),
        optimizer=lambda: tf.keras.optimizers.legacy.Ftrl(learning_rate=0.05))
    estimator.train(input_fn, steps=3)
    predictions = [p["logits"] for p in estimator.predict(
        lambda: tf.data.Dataset.from_tensors({"image": images}))]
    return {"logits": _round(predictions)}


def _keras_layer_model_fn(hub, tf, handle, trainable):
    def model_fn(features, labels, mode):
        layer = hub.KerasLayer(handle, trainable=trainable)
        hidden = layer(features["x"])
        logits = tf.reduce_sum(hidden, axis=-1, keepdims=True) * tf.compat.v1.get_variable(
            "scale", [], initializer=tf.compat.v1.constant_initializer(0.5))
        predictions = {"logits": logits, "hidden": hidden}
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(
                mode, predictions=predictions,
                export_outputs={"serving_default": tf.estimator.export.PredictOutput(predictions)})
        loss = tf.reduce_mean(tf.square(logits - tf.cast(labels, tf.float32)))
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.05)
        variables = tf.compat.v1.trainable_variables() + list(layer.trainable_weights)
        train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step(),
                                      var_list=list({id(v): v for v in variables}.values()))
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    return model_fn


def _keras_layer_program(hub, tf, workdir, handle, x, trainable):
    labels = np.array([[1.0], [0.0]], np.float32)
    estimator = tf.estimator.Estimator(_keras_layer_model_fn(hub, tf, handle, trainable),
                                       config=_config(tf, os.path.join(workdir, "model")))
    estimator.train(lambda: tf.data.Dataset.from_tensors(({"x": x}, labels)).repeat(), steps=4)
    predicted = list(estimator.predict(lambda: tf.data.Dataset.from_tensors({"x": x})))
    def serving():
        placeholder = tf.compat.v1.placeholder(tf.float32, [None, *x.shape[1:]], name="x")
        return tf.estimator.export.ServingInputReceiver({"x": placeholder}, {"x": placeholder})

    exported = estimator.export_saved_model(os.path.join(workdir, "export"), serving)
    loaded = tf.saved_model.load(exported.decode() if isinstance(exported, bytes) else exported)
    served = loaded.signatures["serving_default"](x=tf.constant(x))
    return {"logits": _round([p["logits"] for p in predicted]),
            "hidden": _round([p["hidden"] for p in predicted]),
            "exported_logits": _round(served["logits"].numpy())}


def keras_layer_tf1_module_in_model_fn(hub, tf, workdir):
    x = np.random.RandomState(1).rand(2, 4).astype(np.float32)
    return _keras_layer_program(hub, tf, workdir, os.path.join(FIXTURES, "mlp_bn"), x, False)


def keras_layer_tf2_model_in_model_fn(hub, tf, workdir):
    x = np.random.RandomState(2).rand(2, 3).astype(np.float32)
    return _keras_layer_program(hub, tf, workdir, os.path.join(FIXTURES, "tf2_mul"), x, True)


def latest_module_exporter(hub, tf, workdir):
    x = np.random.RandomState(3).rand(2, 4).astype(np.float32)

    def model_fn(features, labels, mode):
        module = hub.Module(os.path.join(FIXTURES, "mlp_bn"), trainable=True)
        hub.register_module_for_export(module, "mlp")
        logits = module(features["x"])
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
        loss = tf.reduce_mean(tf.square(logits - 1.0))
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    def serving_input_fn():
        placeholder = tf.compat.v1.placeholder(tf.float32, [None, 4])
        return tf.estimator.export.ServingInputReceiver({"x": placeholder}, placeholder)

    estimator = tf.estimator.Estimator(model_fn, config=_config(tf, os.path.join(workdir, "m")))
    estimator.train(lambda: tf.data.Dataset.from_tensors(({"x": x}, [0])).repeat(), steps=3)
    exporter = hub.LatestModuleExporter("tf_hub", serving_input_fn, exports_to_keep=1)
    export_path = os.path.join(workdir, "export")
    first = exporter.export(estimator, export_path, estimator.latest_checkpoint())
    import time

    time.sleep(1.1)  # a new timestamp
    second = exporter.export(estimator, export_path, estimator.latest_checkpoint())
    second = second.decode() if isinstance(second, bytes) else second
    with tf.Graph().as_default():
        out = hub.Module(os.path.join(second, "mlp"))(x)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            value = session.run(out)
    return {"exports_kept": sorted(os.listdir(export_path)) == [os.path.basename(second)],
            "first_removed": not os.path.exists(first),
            "module_files": sorted(os.listdir(os.path.join(second, "mlp"))),
            "outputs": _round(value),
            "name": exporter.name}


PROGRAMS = [dnn_classifier_text_embedding_column, linear_classifier_image_embedding_column,
            keras_layer_tf1_module_in_model_fn, keras_layer_tf2_model_in_model_fn,
            latest_module_exporter]


def tf_release() -> str:
    """``"2.15"``: records are per TensorFlow release."""
    import tensorflow as tf

    return ".".join(tf.__version__.split(".")[:2])


def run(name, hub):
    import tensorflow as tf

    workdir = tempfile.mkdtemp(prefix=f"estimator_{name}_")
    try:
        return globals()[name](hub, tf, workdir)  # Estimators build their own graphs
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--hub", default="tensorflow_hub")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    hub = importlib.import_module(args.hub)
    names = args.names or [p.__name__ for p in PROGRAMS]
    results = {name: run(name, hub) for name in names}
    if args.write:
        records = {}
        if os.path.exists(RECORD):
            with open(RECORD, encoding="utf-8") as f:
                records = json.load(f)
        records[tf_release()] = {"library": f"{args.hub} {hub.__version__}",
                                 "programs": results}
        sys.path.insert(0, HERE)
        from record import write_json

        write_json(RECORD, records)
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
