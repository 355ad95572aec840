"""hubcompat.load on every TF1 fixture, against what a TF1 Session computed.

The fixture builder ran each graph in a Session and recorded inputs,
inference outputs, gradients, train-mode outputs and update-op results
(fixtures/tf1_modules/NAME.reference.npz); see docs/fixtures.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import hubcompat

from tests.support.paths import FIXTURES

ATOL = 1e-5
FIXTURE_DIR = Path(os.environ.get("HUBCOMPAT_FIXTURES", FIXTURES))


def _catalog():
    path = FIXTURE_DIR / "catalog.json"
    if not path.exists():
        return []
    return [f for f in json.loads(path.read_text())["fixtures"]
            if f["format"] in ("tf1_hub", "tf1_saved_model")]


CATALOG = {f["name"]: f for f in _catalog()}
pytestmark = pytest.mark.skipif(not CATALOG, reason="fixtures/tf1_modules/catalog.json missing")


def _reference(fixture):
    return dict(np.load(FIXTURE_DIR / fixture["reference"]))


def _tags(fixture):
    return None if [] in fixture["tag_sets"] else set(fixture["tag_sets"][0])


def _inputs(ref, fixture, signature):
    inputs = {}
    for name, spec in fixture["signatures"][signature]["inputs"].items():
        prefix = f"input/{signature}/{name}"
        if spec["sparse"]:
            inputs[name] = tf.SparseTensor(
                ref[prefix + "/indices"], ref[prefix + "/values"], ref[prefix + "/dense_shape"])
        else:
            inputs[name] = ref[prefix]
    return inputs


def _check_output(name, actual, expected_key, ref, folder):
    if isinstance(actual, tf.SparseTensor):
        for part in ("indices", "values", "dense_shape"):
            np.testing.assert_allclose(getattr(actual, part), ref[f"{expected_key}/{part}"], atol=ATOL)
        return
    actual = np.asarray(actual.numpy())
    expected = ref[expected_key]
    if actual.dtype.kind in "OS":
        if name == "vocab_file":  # an asset path: the file where the module is now
            path = actual.item().decode()
            assert path == str(folder / "assets" / Path(expected.item().decode()).name)
            assert os.path.exists(path)
        else:
            np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, atol=ATOL, err_msg=expected_key)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_inference_matches_tf1(name):
    fixture, ref = CATALOG[name], _reference(CATALOG[name])
    folder = FIXTURE_DIR / fixture["folder"]
    module = hubcompat.load(folder, tags=_tags(fixture))
    checked = 0
    for signature in fixture["signatures"]:
        keys = [k for k in ref if k.startswith(f"infer/{signature}/")]
        outputs_checked = {k.split("/")[2] for k in keys}
        if not outputs_checked:
            continue
        inputs = _inputs(ref, fixture, signature)
        given = inputs or None
        outputs = module(given, signature=signature, as_dict=True)
        for output in outputs_checked:
            _check_output(output, outputs[output], f"infer/{signature}/{output}", ref, folder)
            checked += 1
    assert checked


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_gradients_match_tf1(name):
    fixture, ref = CATALOG[name], _reference(CATALOG[name])
    signatures = sorted({k.split("/")[1] for k in ref if k.startswith("grad/")})
    if not signatures:
        pytest.skip("no gradient reference")
    module = hubcompat.load(FIXTURE_DIR / fixture["folder"], tags=_tags(fixture))
    by_name = {v.name[:-2]: v for v in module.trainable_variables}
    for signature in signatures:
        outputs_info = fixture["signatures"][signature]["outputs"]
        output = "default" if "default" in outputs_info else sorted(outputs_info)[0]
        with tf.GradientTape() as tape:
            out = module(_inputs(ref, fixture, signature), signature=signature, as_dict=True)[output]
            loss = tf.reduce_sum(out * ref[f"grad_weights/{signature}"])
        expected = {k.split("/", 2)[2]: v for k, v in ref.items() if k.startswith(f"grad/{signature}/")}
        grads = tape.gradient(loss, [by_name[n] for n in expected])
        for (var_name, value), grad in zip(expected.items(), grads):
            assert grad is not None, f"{signature}: no gradient for {var_name}"
            np.testing.assert_allclose(tf.convert_to_tensor(grad), value, atol=ATOL,
                                       err_msg=f"{signature}: {var_name}")


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_training_mode_matches_tf1(name):
    fixture, ref = CATALOG[name], _reference(CATALOG[name])
    train_keys = [k for k in ref if k.startswith(("train/", "update/"))]
    if not train_keys:
        pytest.skip("no train-mode reference")
    module = hubcompat.load(FIXTURE_DIR / fixture["folder"], tags=_tags(fixture))
    signature = "default" if "default" in fixture["signatures"] else sorted(fixture["signatures"])[0]
    outputs = module(_inputs(ref, fixture, signature), training=True, signature=signature, as_dict=True)
    for key in train_keys:
        kind, rest = key.split("/", 1)
        if kind == "train":
            sig, output = rest.split("/", 1)
            assert sig == signature
            np.testing.assert_allclose(outputs[output], ref[key], atol=ATOL, err_msg=key)
        else:
            variable = {v.name[:-2]: v for v in module.variables}[rest]
            np.testing.assert_allclose(variable, ref[key], atol=ATOL, err_msg=key)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_regularization_losses_match_tf1(name):
    fixture, ref = CATALOG[name], _reference(CATALOG[name])
    if "regularization_loss" not in ref:
        pytest.skip("no regularization reference")
    module = hubcompat.load(FIXTURE_DIR / fixture["folder"], tags=_tags(fixture))
    total = sum(float(loss()) for loss in module.regularization_losses)
    np.testing.assert_allclose(total, ref["regularization_loss"], atol=ATOL)


@pytest.mark.parametrize("name", ["elmo_like", "mlp_bn", "text_embed"])
def test_gradients_inside_tf_function_match_tf1(name):
    if name not in CATALOG:
        pytest.skip(f"fixture {name} missing")
    fixture, ref = CATALOG[name], _reference(CATALOG[name])
    module = hubcompat.load(FIXTURE_DIR / fixture["folder"], tags=_tags(fixture))
    inputs = _inputs(ref, fixture, "default")

    @tf.function
    def gradients():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(module(inputs) * ref["grad_weights/default"])
        return tape.gradient(loss, module.trainable_variables)

    for variable, grad in zip(module.trainable_variables, gradients()):
        np.testing.assert_allclose(tf.convert_to_tensor(grad), ref[f"grad/default/{variable.name[:-2]}"],
                                   atol=ATOL, err_msg=variable.name)
