"""KerasLayer under tf.distribute.MirroredStrategy on two logical CPU devices.

Each case runs in its own Python process: logical devices must be configured
before TensorFlow initializes, which the test process has long done. The child
inherits TF_USE_LEGACY_KERAS, so it uses the same Keras as this run.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.support.paths import REPO as ROOT

pytestmark = pytest.mark.heavy  # a child process per test

PRELUDE = """
import json, sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import hubcompat
from hubcompat._keras import keras_module
keras = keras_module()
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
rng = np.random.RandomState(0)
"""


def _run(tmp_path, body: str, *args) -> dict:
    script = tmp_path / "child.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, str(script), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_tf2_savedmodel_fine_tunes_under_mirrored_strategy(tmp_path, my_mul_path):
    result = _run(tmp_path, """
        with strategy.scope():
            layer = hubcompat.KerasLayer(sys.argv[1], trainable=True, output_shape=[3])
            model = keras.Sequential([keras.Input(shape=(3,)), layer, keras.layers.Dense(1)])
            model.compile(keras.optimizers.SGD(0.01), "mse")
        v = layer.resolved_object.v
        model.fit(rng.randn(32, 3).astype("float32"), np.ones((32, 1), "float32"),
                  batch_size=8, epochs=2, verbose=0)
        print(json.dumps({"kind": type(v).__name__, "replicas": [float(c.numpy()) for c in v.values],
                          "losses": len(model.losses)}))
    """, my_mul_path)
    assert result["kind"] == "MirroredVariable"
    a, b = result["replicas"]
    assert a == b != 2.0
    assert result["losses"] == 1


def test_frozen_tf1_module_under_mirrored_strategy(tmp_path, mlp_bn, mlp_bn_reference):
    result = _run(tmp_path, """
        with strategy.scope():
            layer = hubcompat.KerasLayer(sys.argv[1])
            inputs = keras.Input(shape=(4,))
            features = layer(inputs)
            model = keras.Model(inputs, keras.layers.Dense(1)(features))
            model.compile(keras.optimizers.SGD(0.01), "mse")
            extractor = keras.Model(inputs, features)
        head = model.layers[-1].kernel.numpy().copy()
        model.fit(rng.randn(32, 4).astype("float32"), np.ones((32, 1), "float32"),
                  batch_size=8, epochs=1, verbose=0)
        x = np.load(sys.argv[2])["input/x"]
        print(json.dumps({"out": extractor.predict(x, batch_size=2, verbose=0).tolist(),
                          "head_changed": bool(not np.allclose(head, model.layers[-1].kernel.numpy()))}))
    """, mlp_bn, pathlib.Path(mlp_bn).parent / "mlp_bn.reference.npz")
    assert result["head_changed"]
    np.testing.assert_allclose(result["out"], mlp_bn_reference["infer/default/default"],
                               rtol=1e-5, atol=1e-6)


def test_tf1_module_fine_tunes_under_mirrored_strategy(tmp_path, mlp_bn):
    result = _run(tmp_path, """
        with strategy.scope():
            layer = hubcompat.KerasLayer(sys.argv[1], trainable=True)
            inputs = keras.Input(shape=(4,))
            model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
            model.compile(keras.optimizers.SGD(0.05), "mse")
        variables = {v.name.split(":")[0]: v for v in layer.resolved_object.variables}
        before = {name: v.numpy().copy() for name, v in variables.items()}
        model.fit(rng.randn(32, 4).astype("float32") * 3 + 1, np.ones((32, 1), "float32"),
                  batch_size=8, epochs=1, verbose=0)
        changed = {name: bool(not np.allclose(before[name], v.numpy()))
                   for name, v in variables.items()}
        copies_equal = {name: bool(np.allclose(v.values[0].numpy(), v.values[1].numpy()))
                        for name, v in variables.items()}
        print(json.dumps({"kind": type(variables["fc1/weights"]).__name__,
                          "changed": changed, "copies_equal": copies_equal}))
    """, mlp_bn)
    assert result["kind"] == "MirroredVariable"
    assert all(result["changed"].values()), result["changed"]
    # The optimizer's all-reduced updates keep the trainable copies in sync.
    for name in ("fc1/weights", "fc1/biases", "bn/gamma", "bn/beta", "logits/weights"):
        assert result["copies_equal"][name], name
