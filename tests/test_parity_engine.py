"""hubcompat.parity: the one comparison engine (check, convert and inspect compare through it).

The engine's rules are checked on plain arrays and real tensors; its use on a
converted module is checked against the numbers TF1 computed (the fixture's
reference, recorded by a tf.compat.v1 Session).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import hubcompat
from hubcompat import check_names, checks, conversion, parity, tolerances
from hubcompat.commands import check as check_command
from hubcompat.commands import convert as convert_command

from tests.support import tf1_session
from tests.support.paths import FIXTURES


def test_numbers_match_within_atol_plus_rtol_and_nan_equals_nan():
    want = np.array([1.0, 100.0, np.nan])
    comparison = parity.compare({"k": want}, {"k": want + [1e-6, 1e-3, 0.0]}, atol=1e-5, rtol=1e-5)
    assert comparison.ok, comparison.messages()
    assert comparison.differences["k"] == pytest.approx(1e-3)
    assert comparison.largest == pytest.approx(1e-3)


def test_numbers_outside_the_tolerance_name_their_key_and_difference():
    comparison = parity.compare({"out/a": np.zeros(3), "out/b": np.zeros(2)},
                                {"out/a": np.array([0.0, 0.5, 0.0]), "out/b": np.zeros(2)},
                                atol=1e-5, rtol=1e-5)
    assert comparison.messages() == ["out/a: values differ by up to 0.5 (atol=1e-05, rtol=1e-05)"]
    assert not comparison.ok
    # NaN on one side only never matches
    assert not parity.compare({"k": np.array([np.nan])}, {"k": np.array([0.0])}, atol=1.0).ok
    assert parity.max_abs_difference(np.array([np.nan]), np.array([0.0])) == math.inf


def test_shapes_missing_keys_and_dtypes():
    comparison = parity.compare({"s": np.zeros((5, 2)), "gone": np.zeros(1), "b": np.array([True])},
                                {"s": np.zeros((5, 3)), "new": np.zeros(1), "b": np.array([1])},
                                atol=1e-5)
    assert comparison.messages() == [
        "b: values differ from the reference (int64 vs bool)",
        "gone: in the reference, but the model has no such output",
        "new: the model returns it, but the reference has no such key",
        "s: shape (5, 3) differs from the reference's (5, 2)",
    ]
    assert comparison.differences["s"] == math.inf


def test_strings_match_when_equal_or_naming_files_with_equal_contents(tmp_path):
    for folder, text in (("a", "same"), ("b", "same"), ("c", "other")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "vocab.txt").write_text(text)
    a, b, c = (str(tmp_path / f / "vocab.txt").encode() for f in "abc")
    assert parity.compare({"k": np.array([b"x", a])}, {"k": np.array([b"x", b])}, atol=0).ok
    moved = parity.compare({"k": np.array([a])}, {"k": np.array([c])}, atol=0)
    assert list(moved.problems) == ["k"]
    assert "values differ from the reference" in moved.problems["k"]


def test_sparse_tensors_need_equal_indices_and_close_values():
    want = tf.SparseTensor([[0, 1], [2, 0]], [1.0, 2.0], [3, 2])
    close = tf.SparseTensor([[0, 1], [2, 0]], [1.0, 2.0 + 1e-7], [3, 2])
    moved = tf.SparseTensor([[0, 0], [2, 0]], [1.0, 2.0], [3, 2])
    assert parity.compare({"k": want}, {"k": close}, atol=1e-5).ok
    comparison = parity.compare({"k": want}, {"k": moved}, atol=1e-5)
    assert comparison.differences["k"] == math.inf and "indices" in comparison.problems["k"]
    assert not parity.compare({"k": want}, {"k": tf.sparse.to_dense(want)}, atol=1e-5).ok


def test_ragged_tensors_need_equal_row_splits():
    want = tf.ragged.constant([[1.0, 2.0], [3.0]])
    assert parity.compare({"k": want}, {"k": tf.ragged.constant([[1.0, 2.0], [3.0]])}, atol=0).ok
    assert not parity.compare({"k": want}, {"k": tf.ragged.constant([[1.0], [2.0, 3.0]])},
                              atol=1).ok


@pytest.fixture(scope="module")
def mlp_bn_converted(tmp_path_factory):
    module = hubcompat.load(str(FIXTURES / "mlp_bn"))
    folder = str(tmp_path_factory.mktemp("converted") / "mlp_bn")
    conversion.save(module, folder)
    return module, folder


def test_module_outputs_are_what_tf1_computed(mlp_bn_converted):
    module, _ = mlp_bn_converted
    outputs = parity.ModuleOutputs(module)
    assert sorted(outputs.calls) == ["default", "double"]
    for signature, (inputs, got, _) in outputs.calls.items():
        fed = {key: value.numpy() for key, value in inputs.items()}
        tf1 = tf1_session.run(FIXTURES / "mlp_bn", signature=signature, inputs=fed)["outputs"]
        comparison = parity.compare(tf1, got, atol=1e-5, rtol=1e-5, expected_name="TF1")
        assert comparison.ok, comparison.messages()


def test_compare_converted_covers_signatures_and_call_and_sees_a_changed_variable(
        mlp_bn_converted):
    module, folder = mlp_bn_converted
    expected = parity.ModuleOutputs(module)
    converted = tf.saved_model.load(folder)
    comparison = parity.compare_converted(expected, converted)
    assert comparison.ok, comparison.messages()
    assert {"default/default", "default/hidden", "double/default",
            f"{parity.CALL}/default"} <= set(comparison.differences)
    assert comparison.largest < tolerances.DEFAULT_ATOL
    kernel = next(v for v in converted.variables if v.name.startswith("logits/weights"))
    kernel.assign_add(tf.ones_like(kernel))
    changed = parity.compare_converted(expected, converted)
    assert "default/default" in changed.problems and f"{parity.CALL}/default" in changed.problems
    assert "default/normalized" not in changed.problems  # computed before the changed layer
    assert changed.problems["default/default"].startswith("values differ by up to")


def test_tolerances_and_check_names_have_one_home():
    parser = check_command.argparse.ArgumentParser()
    check_command.register(parser.add_subparsers())
    args = parser.parse_args(["check", "h"])
    assert (args.atol, args.rtol) == (tolerances.DEFAULT_ATOL, tolerances.DEFAULT_RTOL)
    parser = convert_command.argparse.ArgumentParser()
    convert_command.register(parser.add_subparsers())
    assert parser.parse_args(["convert", "a", "b"]).atol == tolerances.DEFAULT_ATOL
    assert checks.SKIPPABLE is check_names.SKIPPABLE is check_command.SKIPPABLE
    assert checks.CALL is parity.CALL
    assert set(check_names.SKIPPABLE) < set(check_names.GROUPS)


def test_parity_and_the_shims_import_without_tensorflow():
    code = ("import sys; import hubcompat.parity, hubcompat._tf2_call, hubcompat._tf_private, "
            "hubcompat._keras; print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_cli_reads_tolerances_and_check_names_without_numpy_or_tensorflow():
    # numpy comes with hubcompat[tf] only: `hubcompat check --help` must not need it
    code = ("import sys; sys.modules['numpy'] = sys.modules['tensorflow'] = None; "
            "sys.argv = ['hubcompat', 'check', '--help']; import runpy; "
            "runpy.run_module('hubcompat', run_name='__main__')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())  # argparse wraps the help
    assert "keras, reexport, training" in text and "absolute tolerance (1e-05)" in text


def test_the_rule_for_numbers_is_np_allclose_with_equal_nan():
    rng = np.random.default_rng(0)
    special = np.array([np.nan, np.inf, -np.inf, 0.0, 1.0, -1.0, 1e6])
    for _ in range(200):
        want = rng.choice(special, size=6) * rng.choice([1.0, 1.0 + 1e-6, 1.1], size=6)
        got = np.where(rng.random(6) < 0.5, want, rng.choice(special, size=6))
        got = got * rng.choice([1.0, 1.0 + 2e-5, 1.0 - 1e-6], size=6)
        atol, rtol = rng.choice([0.0, 1e-5]), rng.choice([0.0, 1e-5])
        expected = bool(np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True))
        assert parity.compare({"k": want}, {"k": got}, atol=atol, rtol=rtol).ok is expected, \
            (want, got, atol, rtol)
