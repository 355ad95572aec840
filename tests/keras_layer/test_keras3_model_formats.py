"""Keras 3: the guide's model without keras.Input, and the tutorials' input_shape=[],
build and save in every format Keras offers, and reload to the same numbers.

``Sequential([KerasLayer(h), Dense, Dense])`` used to stay unbuilt (no inputs):
``.keras`` saved, but ``tf.saved_model.save``, ``model.export`` failed, and
``KerasLayer(h, input_shape=[], dtype=tf.string)`` made a float32 Input.
The embedding each model computes is compared with what TF1 computed for the
fixture (its Session-recorded reference).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat

from tests.support.paths import FIXTURES

TEXT_EMBED = str(FIXTURES / "text_embed")
MLP_BN = str(FIXTURES / "mlp_bn")


@pytest.fixture(autouse=True)
def _keras3_only(legacy_keras):
    if legacy_keras:
        pytest.skip("Keras 3 behaviour (tf-keras builds a Sequential from its first call)")


@pytest.fixture(scope="module")
def reference():
    with np.load(FIXTURES / "text_embed.reference.npz") as ref:
        return ref["input/default/default"], ref["infer/default/default"]


def _models(keras):
    dense = lambda: [keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)]  # noqa: E731
    return {
        "guide, no keras.Input": lambda: keras.Sequential(
            [hubcompat.KerasLayer(TEXT_EMBED), *dense()]),
        "tutorial, input_shape=[], dtype=tf.string": lambda: keras.Sequential(
            [hubcompat.KerasLayer(TEXT_EMBED, input_shape=[], dtype=tf.string), *dense()]),
        "tutorial, input_shape=[]": lambda: keras.Sequential(
            [hubcompat.KerasLayer(TEXT_EMBED, input_shape=[]), *dense()]),
        "keras.Input": lambda: keras.Sequential(
            [keras.Input(shape=(), dtype="string"), hubcompat.KerasLayer(TEXT_EMBED), *dense()]),
    }


STYLES = ["guide, no keras.Input", "tutorial, input_shape=[], dtype=tf.string",
          "tutorial, input_shape=[]", "keras.Input"]


@pytest.mark.parametrize("style", STYLES)
def test_the_model_is_built_with_a_string_input(keras, reference, style):
    sentences, embeddings = reference
    model = _models(keras)[style]()
    assert model.built
    (model_input,) = model.inputs
    assert model_input.dtype == "string" and tuple(model_input.shape) == (None,)
    embed = keras.Model(model.inputs, model.layers[0].output)
    np.testing.assert_allclose(embed(tf.constant(sentences)), embeddings, rtol=1e-5, atol=1e-6)


def _save_and_reload(keras, model, fmt, folder):
    if fmt == ".keras":
        model.save(folder / "m.keras")
        return keras.models.load_model(folder / "m.keras")
    if fmt == ".h5":
        model.save(folder / "m.h5")
        return keras.models.load_model(folder / "m.h5")
    if fmt == "tf.saved_model.save":
        tf.saved_model.save(model, str(folder / "sm"))
        loaded = tf.saved_model.load(str(folder / "sm"))  # kept alive by the closure
        return lambda x: next(iter(loaded.signatures["serving_default"](tf.constant(x)).values()))
    model.export(str(folder / "exported"), verbose=False)
    loaded = tf.saved_model.load(str(folder / "exported"))
    return lambda x: loaded.serve(x)


# The two styles that used to fail; keras.Input always saved (its build is checked above).
@pytest.mark.parametrize("fmt", [".keras", ".h5", "tf.saved_model.save", "model.export"])
@pytest.mark.parametrize("style", STYLES[:2])
def test_the_model_saves_and_reloads_in_every_format(keras, reference, tmp_path, style, fmt):
    sentences = tf.constant(reference[0])
    model = _models(keras)[style]()
    expected = np.asarray(model(sentences))
    reloaded = _save_and_reload(keras, model, fmt, tmp_path)
    np.testing.assert_allclose(np.asarray(reloaded(sentences)), expected, rtol=1e-6, atol=1e-6)


def test_a_float_module_builds_from_its_declared_shape(keras):
    model = keras.Sequential([hubcompat.KerasLayer(MLP_BN), keras.layers.Dense(1)])
    assert model.built and tuple(model.inputs[0].shape) == (None, 4)
    assert model.inputs[0].dtype == "float32"
    assert model.layers[0].compute_dtype == "float32"
