"""``hubcompat.convert`` / ``python -m hubcompat convert``: TF1 modules to plain TF2 SavedModels.

Every TF1 fixture and every genuine module is converted once (module-scoped),
then loaded by ``tf.saved_model.load`` in an interpreter that cannot import
hubcompat and compared with what TF1 computed (the reference .npz files, or
tests/support/tf1_session.py where a module has no reference).
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile

import numpy as np
import pytest
import tensorflow as tf

import hubcompat

from tests.support import tf1_session
from tests.support.paths import FIXTURES, GENUINE, genuine
from tests.support.processes import run_cli, run_python
from tests.support.references import CATALOG

ATOL = 1e-5
TF1_FIXTURES = sorted(n for n, f in CATALOG.items() if f["format"] != "tf2_saved_model")
TF2_FIXTURES = sorted(n for n, f in CATALOG.items() if f["format"] == "tf2_saved_model")
GENUINE_MODULES = ["mlp_bn", "text_embed", "upstream/half_plus_two_v1", "upstream/hub_module_v1_mini"]
SPARSE_PARTS = ("indices", "values", "dense_shape")


def _source(tmp_root, name: str):
    """The folder of a fixture or ``genuine/<name>``; genuine archives are unpacked."""
    if not name.startswith("genuine/"):
        return FIXTURES / name
    name = name.removeprefix("genuine/")
    archive = GENUINE / f"{name}.tar.gz"
    if not archive.exists():
        return genuine(name)
    target = tmp_root / "unpacked" / name
    target.mkdir(parents=True)
    with tarfile.open(archive) as f:
        f.extractall(target, filter="data")
    return target


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """name -> (source folder, converted folder, ConversionReport), for every module."""
    root = tmp_path_factory.mktemp("convert")
    result = {}
    for name in [*TF1_FIXTURES, *(f"genuine/{g}" for g in GENUINE_MODULES)]:
        source = _source(root, name)
        destination = root / "out" / name
        report = hubcompat.convert(str(source), str(destination))
        result[name] = (source, destination, report)
    return result


def _cases_from_reference(path) -> dict:
    """signature -> (keyword inputs, expected outputs) from a fixture's reference .npz."""
    cases: dict[str, tuple[dict, dict]] = {}
    with np.load(path, allow_pickle=False) as ref:
        for key in ref.files:
            if not key.startswith(("input/", "infer/")):
                continue
            kind, signature, name, *part = key.split("/")
            inputs, outputs = cases.setdefault(signature, ({}, {}))
            if kind == "input":
                inputs[f"{name}_{part[0]}" if part else name] = ref[key]
            else:
                outputs["/".join([name, *part])] = ref[key]
    return cases


def _cases(name: str, source) -> dict:
    if name in CATALOG:
        return _cases_from_reference(FIXTURES / CATALOG[name]["reference"])
    module = name.removeprefix("genuine/")
    reference = GENUINE / f"{module}.reference.npz"
    cases = {}
    if reference.exists():  # genuine references: input/<name> feeds the default signature
        with np.load(reference) as ref:
            (x,) = [ref[k] for k in ref.files if k.startswith("input/")]
            cases["default"] = ({"x" if module == "mlp_bn" else "default": x},
                                {k.split("/")[2]: ref[k] for k in ref.files
                                 if k.startswith("infer/default/")})
    x = np.arange(8, dtype=np.float32).reshape(2, 4) / 8
    for signature in ("double",) if module == "mlp_bn" else () if reference.exists() else ("default",):
        outputs = tf1_session.run(source, (), signature, {"default": x})["outputs"]
        cases[signature] = ({"default": x}, outputs)
    return cases


# Runs with hubcompat blocked: loads each converted model with plain TF and
# returns the max abs difference of every output from the expected one.
_COMPARE = """
import json, pickle, sys
import numpy as np
import tensorflow as tf

def difference(actual, expected):
    if np.asarray(expected).dtype.kind == "S":  # an asset path: it moved with the model
        actual, expected = actual.numpy(), np.asarray(expected).item()
        return 0.0 if actual == expected or actual.endswith(b"/" + expected) else 1e9
    actual = np.asarray(actual)
    if actual.shape != np.shape(expected):
        return 1e9
    return float(np.max(np.abs(actual.astype(np.float64) - expected), initial=0.0))

def outputs_of(result):
    flat = {}
    for key, value in result.items():
        if isinstance(value, tf.SparseTensor):
            for part in ("indices", "values", "dense_shape"):
                flat[f"{key}/{part}"] = getattr(value, part)
        else:
            flat[key] = value
    return flat

plans = pickle.load(open("plans.pkl", "rb"))
report = {}
for name, (folder, cases) in plans.items():
    obj = tf.saved_model.load(folder)
    report[name] = {"signatures": sorted(obj.signatures), "callable": callable(obj),
                    "keywords": {s: sorted(obj.signatures[s].structured_input_signature[1])
                                 for s in obj.signatures}}
    for signature, (inputs, expected) in cases.items():
        actual = outputs_of(obj.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()}))
        for key, value in expected.items():
            report[name][f"{signature}/{key}"] = difference(actual[key], value)
        if signature == "default" and callable(obj) and len(inputs) == 1:
            out = obj(tf.constant(next(iter(inputs.values()))), training=False)
            if "default" in expected:
                report[name]["__call__/default"] = difference(out, expected["default"])
print(json.dumps(report))
"""


@pytest.mark.heavy
def test_converted_models_compute_what_tf1_computed_without_hubcompat(converted, tmp_path):
    import pickle

    plans = {name: (str(dst), _cases(name, src)) for name, (src, dst, _) in converted.items()}
    with open(tmp_path / "plans.pkl", "wb") as f:
        pickle.dump(plans, f)
    result = run_python(_COMPARE, cwd=tmp_path, with_hubcompat=False)
    for name, (src, _, report) in converted.items():
        assert report.ok and report.verified, (name, report.failures)
        got = result[name]
        module = hubcompat.load(str(src))
        names = module.get_signature_names()
        # The default signature is also serving_default (TF Serving, TFLite, saved_model_cli).
        serving = "default" in names and "serving_default" not in names
        assert got["signatures"] == sorted(names + ["serving_default"] * serving), name
        assert got["callable"] == ("default" in names), name
        for signature in got["signatures"]:  # keyword names as hub.load gives them
            source = "default" if serving and signature == "serving_default" else signature
            assert got["keywords"][signature] == sorted(
                module.signatures[source].structured_input_signature[1]), (name, signature)
        compared = {k: v for k, v in got.items() if "/" in k}
        assert compared, name
        assert max(compared.values()) < ATOL, (name, compared)
    assert "__call__/default" in result["mlp_bn"]
    assert "shifted/values" not in result["sparse_input"]  # keys are <signature>/<output>/...
    assert "default/shifted/values" in result["sparse_input"]


@pytest.mark.heavy
def test_converted_mlp_bn_finetunes_and_regularizes_without_hubcompat(converted, tmp_path):
    _, destination, _ = converted["mlp_bn"]
    reference = FIXTURES / "mlp_bn.reference.npz"
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        ref = np.load({str(reference)!r})
        obj = tf.saved_model.load({str(destination)!r})
        x = ref["input/default/x"]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(obj(x, training=True) * ref["grad_weights/default"])
        grads = tape.gradient(loss, obj.trainable_variables)
        print(json.dumps({{
            "grads_none": sum(g is None for g in grads),
            "n_trainable": len(obj.trainable_variables),
            "n_variables": len(obj.variables),
            "reg": sum(float(f()) for f in obj.regularization_losses),
            "reg_ref": float(ref["regularization_loss"]),
            "moving_mean": float(np.abs(
                [v for v in obj.variables if v.name == "bn/moving_mean:0"][0].numpy()
                - ref["update/bn/moving_mean"]).max()),
        }}))
    """, cwd=tmp_path, with_hubcompat=False)
    assert result["grads_none"] == 0 and result["n_trainable"] == 6 and result["n_variables"] == 8
    np.testing.assert_allclose(result["reg"], result["reg_ref"], atol=ATOL)
    assert result["moving_mean"] < ATOL  # the training call ran the update ops as TF1 did


@pytest.mark.heavy
@pytest.mark.parametrize("name", TF1_FIXTURES)
def test_regularization_losses_match_tf1(converted, name):
    reference = FIXTURES / CATALOG[name]["reference"]
    with np.load(reference) as ref:
        if "regularization_loss" not in ref.files:
            pytest.skip(f"{name} has no regularization_loss reference")
        expected = float(ref["regularization_loss"])
    obj = tf.saved_model.load(str(converted[name][1]))
    assert sum(float(f()) for f in obj.regularization_losses) == pytest.approx(expected, abs=ATOL)


@pytest.mark.heavy
def test_bert_like_without_default_signature_converts_to_signatures_only(converted):
    _, destination, report = converted["bert_like"]
    assert not report.has_call and report.signatures == ["tokenization_info", "tokens"]
    assert (destination / "assets" / "vocab.txt").is_file()


def test_tf2_saved_model_is_refused(tmp_path):
    with pytest.raises(hubcompat.errors.NothingToConvertError, match="already a TF2 SavedModel"):
        hubcompat.convert(str(FIXTURES / TF2_FIXTURES[0]), tmp_path / "out")
    assert os.listdir(tmp_path) == []


def test_existing_destination_is_refused_and_kept(tmp_path):
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="already exists"):
        hubcompat.convert(str(FIXTURES / "ref_vars"), destination)
    assert (destination / "mine.txt").read_text() == "keep me"


@pytest.mark.heavy
def test_failing_source_leaves_nothing_behind(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURES / "ref_vars", broken)
    shutil.rmtree(broken / "variables")
    (broken / "variables").mkdir()
    (broken / "variables" / "variables.index").write_bytes(b"not a checkpoint")
    out = tmp_path / "outputs"
    out.mkdir()
    with pytest.raises(hubcompat.errors.CorruptModuleError, match="broken"):
        hubcompat.convert(str(broken), out / "converted")
    assert os.listdir(out) == []
    result = run_cli("convert", broken, out / "converted", cwd=tmp_path)
    assert result.returncode == 2 and "Fetch the module again" in result.stderr
    assert os.listdir(out) == []


# --- the command line ------------------------------------------------------------------



@pytest.mark.heavy
def test_cli_converts_refuses_overwrites_and_reports_json(tmp_path):
    destination = tmp_path / "out"
    first = run_cli("convert", FIXTURES / "multi_input", destination, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "default/id_sum" in first.stdout and "ok" in first.stdout
    again = run_cli("convert", FIXTURES / "ref_vars", destination, cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr and str(destination) in again.stderr
    assert tf.saved_model.load(str(destination)).signatures["default"].structured_input_signature[
        1].keys() == {"ids", "mask", "scale", "x"}  # still the first conversion
    replaced = run_cli("convert", FIXTURES / "ref_vars", destination, "--overwrite", "--json",
                    cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    report = json.loads(replaced.stdout)
    assert report["ok"] and report["signatures"] == ["default"] and report["verified"]
    assert set(report["differences"]) == {"default/default", "__call__/default"}
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no temporary folders left


@pytest.mark.heavy
def test_cli_parity_failure_exits_1_and_keeps_destination(tmp_path):
    destination = tmp_path / "out"
    result = run_cli("convert", FIXTURES / "ref_vars", destination, "--atol", "-1", cwd=tmp_path)
    assert result.returncode == 1
    assert "FAILED" in result.stdout and (destination / "saved_model.pb").is_file()


@pytest.mark.heavy
def test_cli_no_verify_skips_the_check(tmp_path):
    result = run_cli("convert", FIXTURES / "ref_vars", tmp_path / "out", "--no-verify", cwd=tmp_path)
    assert result.returncode == 0 and "not checked" in result.stdout


def test_cli_bad_handle_names_it_and_exits_2(tmp_path):
    missing = tmp_path / "no_such_module"
    result = run_cli("convert", missing, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2
    assert str(missing) in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    tf2 = run_cli("convert", FIXTURES / "tf2_mul", tmp_path / "out", cwd=tmp_path)
    assert tf2.returncode == 2 and "already a TF2 SavedModel" in tf2.stderr
