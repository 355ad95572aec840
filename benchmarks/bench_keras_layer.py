"""KerasLayer training overhead: fit step time vs the same model in native Keras layers.

Measured in one run, interleaved so machine noise hits both alike:

- ``tf2``: a reusable TF2 SavedModel (two dense layers, exported from a
  tf.Module) fine-tuned through ``hubcompat.KerasLayer(trainable=True)`` vs
  the identical computation as ``keras.layers.Dense`` layers with the same
  weights.
- ``tf1``: the TF1 Hub module ``mlp_bn`` (dense + batch norm + dropout +
  dense, fine-tuned through its ``{"train"}`` graph with update ops) vs the
  same layer stack written in Keras (Dense, BatchNormalization, ReLU, Dropout,
  Dense).

Prints the median step time of each and the ratio (target: <= 1.2). Runs on
whichever Keras hubcompat uses (``TF_USE_LEGACY_KERAS=1`` for tf-keras).

    python benchmarks/bench_keras_layer.py [--steps N] [--rounds N] [--width N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import hubcompat  # noqa: E402
from hubcompat._keras import keras_module  # noqa: E402

keras = keras_module()
BATCH = 64


def _export_tf2_module(path: str, width: int) -> list[np.ndarray]:
    rng = np.random.RandomState(0)
    weights = [rng.randn(32, width).astype("float32") * 0.1, np.zeros(width, "float32"),
               rng.randn(width, width).astype("float32") * 0.1, np.zeros(width, "float32")]

    class TwoDense(tf.train.Checkpoint):
        def __init__(self):
            super().__init__()
            self.w1, self.b1, self.w2, self.b2 = (tf.Variable(w) for w in weights)
            self.variables = [self.w1, self.b1, self.w2, self.b2]
            self.trainable_variables = list(self.variables)

        @tf.function(input_signature=[tf.TensorSpec([None, 32], tf.float32)])
        def __call__(self, x):
            return tf.nn.relu(tf.matmul(tf.nn.relu(tf.matmul(x, self.w1) + self.b1), self.w2)
                              + self.b2)

    tf.saved_model.save(TwoDense(), path)
    return weights


def _tf2_models(path: str, weights, width: int):
    inputs = keras.Input(shape=(32,))
    hub_model = keras.Model(inputs, keras.layers.Dense(1)(
        hubcompat.KerasLayer(path, trainable=True, output_shape=[width])(inputs)))
    inputs = keras.Input(shape=(32,))
    first = keras.layers.Dense(width, activation="relu")
    second = keras.layers.Dense(width, activation="relu")
    native = keras.Model(inputs, keras.layers.Dense(1)(second(first(inputs))))
    first.set_weights(weights[:2])
    second.set_weights(weights[2:])
    native.layers[-1].set_weights(hub_model.layers[-1].get_weights())
    return hub_model, native, np.random.RandomState(1).rand(BATCH * 4, 32).astype("float32")


def _tf1_models(path: str):
    inputs = keras.Input(shape=(4,))
    hub_model = keras.Model(inputs, keras.layers.Dense(1)(
        hubcompat.KerasLayer(path, trainable=True)(inputs)))
    inputs = keras.Input(shape=(4,))
    x = keras.layers.Dense(8, kernel_regularizer=keras.regularizers.l2(1e-3))(inputs)
    x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
    x = keras.layers.Dense(3)(keras.layers.Dropout(0.2)(x))
    native = keras.Model(inputs, keras.layers.Dense(1)(x))
    return hub_model, native, np.random.RandomState(1).rand(BATCH * 4, 4).astype("float32")


def _compare(name, hub_model, native, x, steps, rounds):
    data = tf.data.Dataset.from_tensor_slices((x, np.ones((len(x), 1), "float32")))
    data = data.repeat().batch(BATCH)
    for model in (hub_model, native):
        model.compile(keras.optimizers.SGD(1e-3), "mse")
        model.fit(data, epochs=1, steps_per_epoch=10, verbose=0)  # trace + warm up
    ours, base = [], []
    for _ in range(rounds):
        ours.append(_step_time_ds(hub_model, data, steps))
        base.append(_step_time_ds(native, data, steps))
    o, b = statistics.median(ours), statistics.median(base)
    print(f"{name}: fit step  KerasLayer {o * 1e3:7.3f} ms   native Keras {b * 1e3:7.3f} ms   "
          f"ratio {o / b:.3f}  (target <= 1.2)")


def _step_time_ds(model, data, steps: int) -> float:
    start = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--tf1-module", default=str(REPO / "fixtures/tf1_modules/mlp_bn"))
    args = parser.parse_args()
    print(f"keras {keras.__version__}, tensorflow {tf.__version__}, batch {BATCH}")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "two_dense")
        weights = _export_tf2_module(path, args.width)
        hub_model, native, x = _tf2_models(path, weights, args.width)
        np.testing.assert_allclose(hub_model(x[:8]), native(x[:8]), rtol=1e-4, atol=1e-5)
        _compare(f"tf2 (2 x Dense({args.width}))", hub_model, native, x, args.steps, args.rounds)
    hub_model, native, x = _tf1_models(args.tf1_module)
    _compare("tf1 mlp_bn ({'train'} graph)", hub_model, native, x, args.steps, args.rounds)


if __name__ == "__main__":
    main()
