"""Fixtures for the KerasLayer tests.

These files run twice in CI: under Keras 3, and with TF_USE_LEGACY_KERAS=1
under tf-keras (the variable must be set before TensorFlow is imported, hence
a separate pytest process). ``keras`` below is whichever one hubcompat uses.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.support.paths import FIXTURES
from tests.support.paths import genuine as _genuine


@pytest.fixture(scope="session")
def keras():
    from hubcompat._keras import keras_module

    return keras_module()


@pytest.fixture(scope="session")
def legacy_keras(keras):
    return int(keras.__version__.split(".")[0]) < 3


@pytest.fixture(autouse=True)
def _fresh_keras_state(keras):
    yield
    keras.backend.clear_session()
    keras.mixed_precision.set_global_policy("float32")


@pytest.fixture(scope="session")
def mlp_bn():
    return str(_genuine("mlp_bn"))


@pytest.fixture(scope="session")
def mlp_bn_reference():
    return dict(np.load(_genuine("mlp_bn.reference.npz")))


@pytest.fixture(scope="session")
def text_embed():
    return str(_genuine("text_embed"))


@pytest.fixture(scope="session")
def text_embed_reference():
    return dict(np.load(_genuine("text_embed.reference.npz")))


@pytest.fixture(scope="session")
def no_variables_module():
    return str(_genuine("upstream/hub_module_v1_mini"))


@pytest.fixture(scope="session")
def fixture_module():
    """(path, reference dict) of a module in fixtures/tf1_modules (docs/fixtures.md)."""

    def get(name):
        return str(FIXTURES / name), dict(np.load(FIXTURES / f"{name}.reference.npz"))

    return get


@pytest.fixture(scope="session")
def my_mul_path(tmp_path_factory):
    """The seed document's MyMulModel, exported as it shows."""
    import tensorflow as tf

    class MyMulModel(tf.train.Checkpoint):
        def __init__(self, v_init):
            super().__init__()
            self.v = tf.Variable(v_init)
            self.variables = [self.v]
            self.trainable_variables = [self.v]
            self.regularization_losses = [
                tf.function(input_signature=[])(lambda: 0.001 * self.v**2),
            ]

        @tf.function(input_signature=[tf.TensorSpec(shape=None, dtype=tf.float32)])
        def __call__(self, inputs):
            return tf.multiply(inputs, self.v)

    path = str(tmp_path_factory.mktemp("seed") / "my_mul")
    tf.saved_model.save(MyMulModel(2.0), path)
    return path


@pytest.fixture(scope="session")
def tf2_module_path(tmp_path_factory):
    """A reusable TF2 SavedModel with a training mode, arguments, dict inputs and signatures."""
    import tensorflow as tf

    class Scaler(tf.train.Checkpoint):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
            self.count = tf.Variable(0.0, trainable=False, name="count")
            self.variables = [self.w, self.count]
            self.trainable_variables = [self.w]
            self.regularization_losses = [tf.function(self._l2, input_signature=[])]

        def _l2(self):
            return 0.5 * tf.reduce_sum(self.w**2)

        @tf.function
        def __call__(self, inputs, training=False, scale=1.0):
            y = tf.matmul(inputs["a"] + inputs["b"], self.w) * scale
            if training:  # a Python bool: one trace per mode, as Keras saves them
                self.count.assign_add(1.0)
                return y + 100.0
            return y

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
        def serve(self, x):
            return {"out": tf.matmul(x, self.w), "twice": 2.0 * x}

    module = Scaler()
    spec = {"a": tf.TensorSpec([None, 2], tf.float32), "b": tf.TensorSpec([None, 2], tf.float32)}
    for training in (False, True):
        for scale in (1.0, 3.0):
            module.__call__.get_concrete_function(spec, training=training, scale=scale)
    path = str(tmp_path_factory.mktemp("tf2") / "scaler")
    tf.saved_model.save(module, path, signatures={"serve": module.serve})
    return path


def pytest_report_header(config):
    return f"TF_USE_LEGACY_KERAS={os.environ.get('TF_USE_LEGACY_KERAS', '')!r}"
