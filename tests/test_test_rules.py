"""The suite's own rules: numbers compared by a tolerance scaled to their magnitude
(tests/support/numerics.py), printed numbers by value (tests/support/printed.py), and
heavy tests skipped without ``--heavy`` (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.support.numerics import (
    ACROSS_MACHINES,
    ACROSS_MACHINES_GRADIENTS,
    SAME_MACHINE,
    assert_close,
)
from tests.support.paths import GENUINE_MISSING, HEAVY_SKIPPED, REPO
from tests.support.printed import assert_printed_alike, assert_prints

# --- numerics ---------------------------------------------------------------------------


def test_signed_zeros_and_nans_are_equal():
    assert_close(np.array([-0.0, np.nan, 1.0], np.float32), np.array([0.0, np.nan, 1.0]))


def test_an_element_near_zero_may_differ_by_the_arrays_scale():
    expected, actual = np.array([0.0004, 40.0]), np.array([0.0009, 40.0])
    assert_close(actual, expected, rtol=ACROSS_MACHINES)
    with pytest.raises(AssertionError):  # numpy's rtol alone: relative to 0.0004
        np.testing.assert_allclose(actual, expected, rtol=ACROSS_MACHINES)
    with pytest.raises(AssertionError):  # 5e-4 is more than SAME_MACHINE allows
        assert_close(actual, expected, rtol=SAME_MACHINE)


def test_the_gradient_that_differs_between_machines():
    # inception_like, second inference call: the stored gradient (recorded on an Intel CPU)
    # and what hubcompat and a TF1 Session compute on an AMD EPYC differ by up to 1.76e-3
    # (a ReLU at its kink), the call's largest gradient being 3.11.
    stored, here = np.float32(-0.0081), np.float32(-0.0081 + 1.76e-3)
    assert_close(here, stored, rtol=ACROSS_MACHINES_GRADIENTS, of=3.11)
    with pytest.raises(AssertionError):  # scaled to the element alone
        assert_close(here, stored, rtol=ACROSS_MACHINES_GRADIENTS)


def test_a_real_difference_fails():
    with pytest.raises(AssertionError):
        assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.01]), rtol=ACROSS_MACHINES)
    with pytest.raises(AssertionError):
        assert_close(np.zeros(3), np.array([0.0, 0.0, 1e-6]))  # all-zero arrays stay exact
    with pytest.raises(AssertionError, match="shape"):
        assert_close(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(AssertionError):
        assert_close(np.array([np.nan]), np.array([0.0]))


# --- printed numbers ---------------------------------------------------------------------


def test_printed_signed_zero_and_column_padding_match():
    # numpy pads columns by the widest entry: "-0." shifts the others.
    assert_printed_alike("fc1/bias [0., 0., 0.]\nstep 0 loss 0.85271\n",
                         "fc1/bias [ 0.,  0., -0.]\nstep 0 loss 0.85271\n")


def test_printed_numbers_may_round_the_other_way():
    assert_printed_alike("y: [[0.12778, 2.5    ]]\n", "y: [[0.12777, 2.5]]\n")
    assert_prints("y1: [[-0.13846, -0.70584]]\n", "y1: ", np.array([[-0.138455, -0.705845]]))


def test_printed_text_and_numbers_must_still_match():
    with pytest.raises(AssertionError):
        assert_printed_alike("step 1 loss 0.85271\n", "step 0 loss 0.85271\n")
    with pytest.raises(AssertionError):
        assert_printed_alike("loss 0.85371\n", "loss 0.85271\n")
    with pytest.raises(AssertionError):
        assert_prints("y1: [[-0.13846, -0.70584]]\n", "y1: ", np.array([[-0.13846, -0.70484]]))
    with pytest.raises(AssertionError):  # one value too many
        assert_prints("y1: [[-0.13846]]\n", "y1: ", np.array([[-0.13846, -0.70584]]))


# --- the heavy marker ----------------------------------------------------------------------


@pytest.mark.heavy
def test_heavy_probe():
    """Runs only with --heavy (the test below runs it both ways)."""


def test_heavy_tests_skip_without_the_heavy_option():
    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
             f"{__file__}::test_heavy_probe", *args],
            cwd=REPO, capture_output=True, text=True, timeout=300)
        return proc.stdout

    without = run()
    assert HEAVY_SKIPPED in without and "1 skipped" in without
    assert "1 passed" in run("--heavy")


def test_ci_reruns_what_the_readme_command_skips():
    """.ci/run finds the tests to rerun (with ../shared, with --heavy) in the clean clone's
    JUnit report by these words of their skip reasons."""
    script = (REPO / ".ci" / "run").read_text()
    assert '("need ../shared", "../shared/genuine_tf1")' in script
    assert "../shared/genuine_tf1" in GENUINE_MISSING
    assert '("heavy", "--heavy")' in script and "--heavy" in HEAVY_SKIPPED
    assert "pytest -p no:cacheprovider -q --heavy" in script
