"""hubcompat.load on TF2 SavedModels: exactly what tf.saved_model.load gives."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import hubcompat

from tests.support.paths import FIXTURES

ATOL = 1e-6


def test_seed_mul_model():
    ref = np.load(FIXTURES / "tf2_mul.reference.npz")
    obj = hubcompat.load(FIXTURES / "tf2_mul")
    assert not hasattr(obj, "get_signature_names"), "a TF2 SavedModel is not wrapped"
    assert obj._is_hub_module_v1 is False  # set by hub.load; code tells the kinds apart by it
    np.testing.assert_allclose(obj(ref["input/__call__/inputs"]), ref["infer/__call__/default"])
    np.testing.assert_allclose(obj(tf.constant([10.0, 20.0])), [20.0, 40.0])
    assert [v.numpy() for v in obj.trainable_variables] == [2.0]
    np.testing.assert_allclose(sum(float(f()) for f in obj.regularization_losses), 0.004, atol=ATOL)


def test_training_argument_reaches_a_tf2_model():
    ref = np.load(FIXTURES / "tf2_bn_training.reference.npz")
    obj = hubcompat.load(f"file://{FIXTURES / 'tf2_bn_training'}")
    x = ref["input/__call__/x"]
    np.testing.assert_allclose(obj(x, training=False), ref["infer/__call__/default"], atol=ATOL)
    np.testing.assert_allclose(obj(x, training=True), ref["train/__call__/default"], atol=ATOL)
    by_name = {v.name.split(":")[0]: v for v in obj.variables}
    np.testing.assert_allclose(by_name["moving_mean"], ref["update/moving_mean"], atol=ATOL)


def test_archive_handle(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_CACHE_DIR", str(tmp_path / "cache"))
    obj = hubcompat.load(str(FIXTURES / "tf2_mul.tar.gz"))
    np.testing.assert_allclose(obj(tf.constant([1.0])), [2.0])
