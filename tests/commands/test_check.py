"""``python -m hubcompat check`` against what TF1 computed.

Each fixture's reference (fixtures/tf1_modules/NAME.reference.npz, computed
by a TF1 Session, see tests/fixtures/test_fixture_references.py) and the genuine
modules' references (computed by tensorflow_hub's hub.Module) are converted to
check's reference format; check must pass with them, and fail (exit 1) when
one value is changed. The Keras and re-export checks are slow, so they run on
a few modules only.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from hubcompat import errors, reference_npz
from hubcompat.checks import record_reference, run_checks

from tests.support.paths import FIXTURES, REPO, genuine
from tests.support.processes import run_cli
from tests.support.references import CATALOG, genuine_reference, tf1_reference

FULL = {"mlp_bn", "image_bn", "tf2_bn_training", "bert_like"}  # every check, Keras and re-export too
FAST = ("keras", "reexport")


def lines(results) -> str:
    return "\n".join(r.line() for r in results)


def check_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    return run_cli("check", *args, cwd=cwd)


def by_name(results) -> dict:
    return {r.name: r for r in results}



@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_tf1_computed_reference_passes(name):
    reference = tf1_reference(name)
    results = run_checks(FIXTURES / CATALOG[name]["folder"], reference=reference,
                         skip=() if name in FULL else FAST)
    assert not any(r.failed for r in results), lines(results)
    checked = [r for r in results if r.group == "reference"]
    assert checked and all(r.status == "PASS" for r in checked), lines(results)
    outputs = [k for k in reference if k.startswith("output/")]
    assert sum(int(r.detail.split()[0]) for r in checked) == len(outputs)
    if name in FULL:
        assert {r.name: r.status for r in results if r.group in FAST} == {
            "keras": "PASS", "reexport": "PASS"}, lines(results)


def test_genuine_mlp_bn_matches_hub_module():
    reference = genuine_reference("mlp_bn", {"default": ["x"], "double": ["default"]})
    results = run_checks(genuine("mlp_bn"), reference=reference)
    assert [r.status for r in results] == ["PASS"] * len(results), lines(results)
    assert {r.group for r in results} == {"load", "call", "reference", "keras", "reexport",
                                          "training"}
    assert "gradients for 6 of 6 trainable variables" in by_name(results)["training"].detail


def test_genuine_text_embed_matches_hub_module():
    reference = genuine_reference("text_embed", {"default": ["default"]})
    results = run_checks(genuine("text_embed"), reference=reference, skip=FAST)
    assert not any(r.failed for r in results), lines(results)
    assert by_name(results)["reference[default]"].status == "PASS"


def test_upstream_half_plus_two_archive_matches_its_formula():
    x = np.array([1.0, -2.0, 10.0], np.float32)
    reference = {"input/default/default": x, "output/default/default": 0.5 * x + 2}
    results = run_checks(genuine("upstream/half_plus_two_v1.tar.gz"), reference=reference,
                         skip=FAST)
    assert not any(r.failed for r in results), lines(results)
    assert by_name(results)["reference[default]"].status == "PASS"


def test_changed_value_fails_naming_the_key():
    reference = tf1_reference("mlp_bn")
    reference["output/default/hidden"] = reference["output/default/hidden"].copy()
    reference["output/default/hidden"][1, 2] += 0.01
    results = run_checks(FIXTURES / "mlp_bn", reference=reference, skip=FAST)
    failed = [r for r in results if r.failed]
    assert [r.name for r in failed] == ["reference[default]"], lines(results)
    assert "output/default/hidden: values differ by up to 0.01" in failed[0].detail
    assert by_name(results)["reference[double]"].status == "PASS"


def test_missing_key_shape_mismatch_and_stray_key_fail_naming_the_key():
    reference = tf1_reference("mlp_bn")
    del reference["output/double/default"]
    reference["output/default/default"] = reference["output/default/default"][:, :2]
    reference["output/nosuch/default"] = np.zeros(3)
    results = by_name(run_checks(FIXTURES / "mlp_bn", reference=reference, skip=FAST))
    assert "output/double/default: the model returns it, but the reference has no such key" in \
        results["reference[double]"].detail
    assert results["reference[double]"].failed
    assert "output/default/default: shape (5, 3) differs from the reference's (5, 2)" in \
        results["reference[default]"].detail
    assert results["reference"].failed and "output/nosuch/default" in results["reference"].detail


def test_reference_inputs_missing_fail_and_examples_are_used():
    reference = {k: v for k, v in tf1_reference("multi_input").items() if k.startswith("output/")}
    results = by_name(run_checks(FIXTURES / "multi_input", reference=reference, skip=FAST))
    assert results["call[default]"].detail.startswith("example inputs")
    assert results["reference[default]"].failed
    assert "input/default/x: missing from the reference" in results["reference[default]"].detail


def test_record_reference_from_python_then_check_passes_and_never_overwrites(tmp_path):
    path = tmp_path / "refs" / "tf2_bn_training.npz"
    assert record_reference(FIXTURES / "tf2_bn_training", path) == path
    assert sorted(reference_npz.read(path)) == ["input/__call__/x", "output/__call__/default"]
    results = run_checks(FIXTURES / "tf2_bn_training", reference=path, skip=FAST)
    assert by_name(results)["reference[__call__]"].status == "PASS", lines(results)
    before = path.read_bytes()
    with pytest.raises(errors.ReferenceExistsError, match="--overwrite"):
        record_reference(FIXTURES / "tf2_bn_training", path)
    assert path.read_bytes() == before and sorted(p.name for p in path.parent.iterdir()) == [
        path.name]


def test_non_finite_outputs_fail(tmp_path):
    class Divide(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def __call__(self, x):
            return x / 0.0

    tf.saved_model.save(Divide(), str(tmp_path / "divide"))
    results = by_name(run_checks(tmp_path / "divide", skip=FAST))
    assert results["call[__call__]"].failed
    assert "non-finite values in output/__call__/default" in results["call[__call__]"].detail


def test_unknown_skip_is_an_argument_error():
    with pytest.raises(errors.CheckArgumentError, match="keras, reexport, training"):
        run_checks(FIXTURES / "tf2_mul", skip=("nope",))


@pytest.mark.heavy
def test_cli_passes_with_tf1_reference_and_fails_on_a_changed_value(tmp_path):
    reference = tf1_reference("image_classifier")
    reference_npz.write(tmp_path / "good.npz", reference)
    ok = check_cli(FIXTURES / "image_classifier", "--reference", tmp_path / "good.npz",
             "--skip", "keras,reexport")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PASS reference[image_classification]  1 arrays match" in ok.stdout
    assert [line.split()[0] for line in ok.stdout.splitlines()] == [
        "PASS", "PASS", "PASS", "PASS", "PASS", "SKIP", "SKIP", "PASS"]
    reference["output/image_classification/default"][0, 0] += 1.0
    reference_npz.write(tmp_path / "bad.npz", reference)
    bad = check_cli(FIXTURES / "image_classifier", "--reference", tmp_path / "bad.npz",
              "--skip", "keras,reexport")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "FAIL reference[image_classification]  output/image_classification/default: " \
           "values differ by up to 1" in bad.stdout


@pytest.mark.heavy
def test_cli_record_with_inputs_gives_what_tf1_computed_then_check_passes(tmp_path):
    tf1 = tf1_reference("text_embed")
    reference_npz.write(tmp_path / "inputs.npz", {"input/default/default": tf1["input/default/default"]})
    recorded = tmp_path / "refs" / "text_embed.npz"
    first = check_cli(FIXTURES / "text_embed", "--record", recorded, "--inputs", tmp_path / "inputs.npz",
                "--skip", "keras,reexport,training")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"PASS record  wrote 2 arrays to {recorded}" in first.stdout
    arrays = reference_npz.read(recorded)
    assert sorted(arrays) == ["input/default/default", "output/default/default"]
    np.testing.assert_array_equal(arrays["input/default/default"], tf1["input/default/default"])
    np.testing.assert_allclose(arrays["output/default/default"], tf1["output/default/default"],
                               atol=1e-5)
    again = check_cli(FIXTURES / "text_embed", "--reference", recorded, "--skip", "keras,reexport")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "PASS reference[default]  1 arrays match" in again.stdout
    refused = check_cli(FIXTURES / "text_embed", "--record", recorded)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and str(recorded) in refused.stderr


@pytest.mark.heavy
def test_cli_record_with_example_inputs_then_check_passes(tmp_path):
    recorded = tmp_path / "sparse.npz"
    first = check_cli(FIXTURES / "sparse_input", "--record", recorded, "--skip", "keras,reexport")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "input/default/default/indices" in reference_npz.read(recorded)
    again = check_cli(FIXTURES / "sparse_input", "--reference", recorded, "--skip", "keras,reexport")
    assert again.returncode == 0, again.stdout + again.stderr


def test_bad_handle_exits_2_and_bad_files_raise(tmp_path):
    missing = tmp_path / "no_such_module"
    bad = check_cli(missing)
    assert bad.returncode == 2
    (message,) = [line for line in bad.stderr.splitlines() if line.startswith("error: ")]
    assert f"Cannot resolve {str(missing)!r}" in message
    with pytest.raises(errors.ReferenceNotFoundError, match=r"none\.npz.*--record"):
        run_checks(FIXTURES / "tf2_mul", reference=tmp_path / "none.npz")
    (tmp_path / "junk.npz").write_text("not an archive")
    with pytest.raises(errors.ReferenceFileError, match=r"junk\.npz"):
        run_checks(FIXTURES / "tf2_mul", reference=tmp_path / "junk.npz")
    skip = check_cli(FIXTURES / "tf2_mul", "--skip", "everything")
    assert skip.returncode == 2 and "cannot skip everything" in skip.stderr


def test_cli_modules_import_without_tensorflow():
    code = ("import sys, hubcompat.commands.check, hubcompat.testing; "
            "print('tensorflow' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
