"""What ``convert`` writes fits the serving ecosystem: ``serving_default``, Keras 3's
``TFSMLayer(path)`` without naming an endpoint, and TFLite.

Every number is compared with what TF1 computed (fixtures/tf1_modules/NAME.reference.npz).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat
from hubcompat import _keras

from tests.support.paths import FIXTURES

ATOL = 1e-5
# Fixtures whose ops are TFLite builtins. Not here: text_embed and elmo_like
# (StringSplit, hash tables: TensorFlow ops TFLite's builtins do not have),
# sparse_input (a SparseTensor signature input; the TFLite converter takes
# dense inputs only), tf1_saved_model_plain (its hash table is initialized from
# a vocabulary file, which the TFLite interpreter never runs) and bert_like (no
# default signature: pass signature_keys).
TFLITE_FIXTURES = ["mlp_bn", "image_classifier", "image_bn", "multi_input", "ref_vars"]


def _serving_io(name):
    """(inputs, expected outputs) of the signature served by default, from TF1's references."""
    reference = np.load(FIXTURES / f"{name}.reference.npz")
    signature = "serving_default" if name == "tf1_saved_model_plain" else "default"
    inputs = {k.split("/")[-1]: reference[k] for k in reference.files
              if k.startswith(f"input/{signature}/")}
    outputs = {k.split("/")[-1]: reference[k] for k in reference.files
               if k.startswith(f"infer/{signature}/")}
    return inputs, outputs


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("serving")
    done = {}

    def get(name):
        if name not in done:
            done[name] = str(root / name)
            assert hubcompat.convert(str(FIXTURES / name), done[name]).ok
        return done[name]

    return get


def test_default_signature_is_also_serving_default(converted):
    loaded = tf.saved_model.load(converted("mlp_bn"))
    assert sorted(loaded.signatures) == ["default", "double", "serving_default"]
    inputs, expected = _serving_io("mlp_bn")
    out = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in inputs.items()})
    for key, value in expected.items():
        np.testing.assert_allclose(out[key].numpy(), value, atol=ATOL)


@pytest.mark.parametrize("name", ["mlp_bn", "multi_input", "ref_vars"])
def test_tfsm_layer_without_an_endpoint(converted, name):
    keras = _keras.keras_module()
    if not hasattr(keras.layers, "TFSMLayer"):
        pytest.skip("keras.layers.TFSMLayer is Keras 3's")
    layer = keras.layers.TFSMLayer(converted(name))  # call_endpoint="serve"
    inputs, expected = _serving_io(name)
    value = next(iter(inputs.values())) if len(inputs) == 1 else inputs
    out = layer(value)
    np.testing.assert_allclose(np.asarray(out), expected["default"], atol=ATOL)
    assert len(layer.weights) == len(hubcompat.load(str(FIXTURES / name)).variables)


@pytest.mark.parametrize("name", TFLITE_FIXTURES)
def test_tflite_interpreter_computes_what_tf1_computed(converted, name):
    converter = tf.lite.TFLiteConverter.from_saved_model(
        converted(name), signature_keys=["serving_default"])
    interpreter = tf.lite.Interpreter(model_content=converter.convert())
    runner = interpreter.get_signature_runner("serving_default")
    inputs, expected = _serving_io(name)
    out = runner(**inputs)
    assert sorted(out) == sorted(expected)
    for key, value in expected.items():
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(out[key], value, atol=ATOL, err_msg=key)
        else:
            np.testing.assert_array_equal(out[key], value, err_msg=key)
