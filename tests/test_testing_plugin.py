"""The pytest plugin ``hubcompat.testing``, run through pytest's own ``pytester``.

The references are the fixture references a TF1 Session computed
(tests/commands/test_check.py converts them); a changed value must fail the
``reference`` item and name the key.
"""

from __future__ import annotations

import numpy as np
import pytest

from hubcompat import reference_npz

from tests.support.paths import FIXTURES, REPO
from tests.support.references import tf1_reference

pytest_plugins = ["pytester"]

MLP = FIXTURES / "mlp_bn"
QUICK = ["--hubcompat-skip", "keras,reexport"]


@pytest.fixture
def run(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")

    def run_pytest(*args):
        return pytester.runpytest_inprocess("-p", "hubcompat.testing", "-p", "no:cacheprovider",
                                            "-rA", *map(str, args))

    return run_pytest


def test_module_option_makes_one_item_per_check_against_a_tf1_reference(run, pytester):
    refs = pytester.path / "refs"
    reference_npz.write(refs / "mlp_bn.npz", tf1_reference("mlp_bn"))
    result = run("--hubcompat-module", MLP, "--hubcompat-reference-dir", refs, *QUICK, refs)
    result.assert_outcomes(passed=4, skipped=2)
    result.stdout.fnmatch_lines(["PASSED *hubcompat/mlp_bn::load", "PASSED *hubcompat/mlp_bn::call",
                                 "PASSED *hubcompat/mlp_bn::reference",
                                 "PASSED *hubcompat/mlp_bn::training",
                                 "SKIPPED*SKIP keras  skipped as asked*"])


def test_changed_reference_value_fails_the_reference_item(run, pytester):
    reference = tf1_reference("mlp_bn")
    reference["output/double/default"] = reference["output/double/default"] + 0.5
    reference_npz.write(pytester.path / "refs" / "mlp_bn.npz", reference)
    result = run("--hubcompat-module", MLP, "--hubcompat-reference-dir", "refs", *QUICK, "refs")
    result.assert_outcomes(passed=3, failed=1, skipped=2)
    assert "FAIL reference[double]  output/double/default: values differ by up to 0.5" in \
        result.stdout.str()
    result.stdout.fnmatch_lines(["FAILED *hubcompat/mlp_bn::reference*"])


def test_record_then_check_and_a_missing_reference(run, pytester):
    handle = FIXTURES / "image_classifier.tar.gz"
    missing = run("--hubcompat-module", handle, "--hubcompat-reference-dir", "refs", *QUICK)
    missing.assert_outcomes(passed=3, failed=1, skipped=2)
    missing.stdout.fnmatch_lines(["*no reference file refs/image_classifier.npz: record it with "
                                  "--hubcompat-record*"])
    recorded = run("--hubcompat-module", handle, "--hubcompat-reference-dir", "refs",
                   "--hubcompat-record", *QUICK)
    recorded.assert_outcomes(passed=4, skipped=2)
    arrays = reference_npz.read(pytester.path / "refs" / "image_classifier.npz")
    assert "output/image_classification/default" in arrays
    checked = run("--hubcompat-module", handle, "--hubcompat-reference-dir", "refs", *QUICK)
    checked.assert_outcomes(passed=4, skipped=2)


def test_unloadable_module_fails_load_and_skips_the_rest(run, pytester):
    result = run("--hubcompat-module", pytester.path / "gone", *QUICK)
    result.assert_outcomes(failed=1, skipped=4)
    result.stdout.fnmatch_lines(["*FAIL load  UnresolvableHandleError: Cannot resolve*gone*"])


def test_fixture_passes_with_tf1_reference_and_fails_with_a_changed_one(run, pytester):
    good, bad = tf1_reference("ref_vars"), tf1_reference("ref_vars")
    bad["output/default/default"] = np.zeros_like(bad["output/default/default"])
    reference_npz.write(pytester.path / "good.npz", good)
    reference_npz.write(pytester.path / "bad.npz", bad)
    pytester.makepyfile(f"""
        HANDLE = {str(FIXTURES / "ref_vars")!r}

        def test_good(hubcompat_check):
            results = hubcompat_check(HANDLE, reference="good.npz", skip=("keras", "reexport"))
            assert "reference[default]" in [r.name for r in results]

        def test_bad(hubcompat_check):
            hubcompat_check(HANDLE, reference="bad.npz", skip=("keras", "reexport"))
    """)
    result = run()
    result.assert_outcomes(passed=1, failed=1)
    assert "FAIL reference[default]  output/default/default: values differ" in result.stdout.str()


def test_plugin_does_not_import_tensorflow_until_a_check_runs(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makepyfile("""
        import sys

        def test_no_tensorflow():
            assert "tensorflow" not in sys.modules
    """)
    result = pytester.runpytest_subprocess("-p", "hubcompat.testing")
    result.assert_outcomes(passed=1)


def test_record_needs_a_reference_dir(run):
    result = run("--hubcompat-module", MLP, "--hubcompat-record")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--hubcompat-record needs --hubcompat-reference-dir*"])
