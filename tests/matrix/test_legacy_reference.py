"""The legacy reference cell (``nox -s legacy_reference``): genuine tensorflow_hub 0.15
on TF 2.15 reproduces every reference the other cells compare hubcompat against.

- each legacy program prints, with genuine ``hub``, its committed reference
  (tests/legacy_programs/references/*.txt; numbers within the spread between
  machines, tests/support/printed.py);
- genuine tensorflow_hub re-exports each TF1 fixture from its own ``module_fn``,
  finds the same structure as our writer's, computes our references on our
  folders, and computes on its exports the committed fixtures/genuine_tf15 references
  (within tests/support/numerics.ACROSS_MACHINES: they were recorded on another CPU);
- genuine ``hub.Module`` reads a module that hubcompat exported, printing the
  committed reference.

Skipped anywhere genuine tensorflow_hub 0.15 (with ``hub.Module``) is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from tests.support.numerics import (
    ACROSS_MACHINES,
    ACROSS_MACHINES_GRADIENTS,
    assert_close,
    scale,
)
from tests.support.paths import LEGACY_PROGRAMS, REPO
from tests.support.printed import assert_printed_alike

hub = pytest.importorskip("tensorflow_hub")
if not hasattr(hub, "Module"):
    pytest.skip("needs tensorflow_hub 0.15 (with hub.Module)", allow_module_level=True)

sys.path.insert(0, str(LEGACY_PROGRAMS))
import programs  # noqa: E402

pytestmark = pytest.mark.heavy


@pytest.mark.parametrize("name", sorted(set(programs.PROGRAMS) - {"export_module"}))
def test_genuine_hub_prints_the_committed_reference(name):
    with open(programs.reference_path(name), encoding="utf-8") as f:
        assert_printed_alike(programs.run(sys.executable, name, programs.PROGRAMS[name]), f.read())


def test_genuine_hub_reads_what_hubcompat_exports(tmp_path):
    ours = str(tmp_path / "exported_by_hubcompat")
    programs.run(sys.executable, "export_module", [ours], hub_import=programs.HUBCOMPAT_IMPORT)
    with open(programs.reference_path(programs.CROSS_PROGRAM), encoding="utf-8") as f:
        assert_printed_alike(programs.run(sys.executable, programs.CROSS_PROGRAM, [ours]), f.read())


def test_genuine_hub_agrees_with_our_fixtures_and_genuine_exports(tmp_path):
    saved = tmp_path / "genuine_tf15"
    proc = subprocess.run(
        [sys.executable, str(REPO / "fixtures" / "tf1_modules" / "compare_with_genuine.py"),
         "--save", str(saved)],
        capture_output=True, text=True, timeout=1200,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    committed = REPO / "fixtures" / "genuine_tf15"
    for reference in sorted(committed.glob("*.reference.npz")):
        fresh = np.load(saved / reference.name)
        expected = np.load(reference)
        assert sorted(fresh.files) == sorted(expected.files), reference.name
        _assert_recorded_alike(fresh, expected)


def test_genuine_hub_records_the_committed_architecture_references(tmp_path):
    """fixtures/genuine_tf15/architectures: re-exported and re-run by genuine hub.Module,
    call by call, the same numbers as committed (the tests compare hubcompat with those)."""
    architectures = REPO / "fixtures" / "genuine_tf15" / "architectures"
    proc = subprocess.run(
        [sys.executable, str(architectures / "record.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=1800,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    for reference in sorted(architectures.glob("*.reference.npz")):
        fresh, expected = np.load(tmp_path / reference.name), np.load(reference)
        assert sorted(fresh.files) == sorted(expected.files), reference.name
        _assert_recorded_alike(fresh, expected)


def _gradient_of(key: str) -> str | None:
    """The call a gradient key belongs to (``grad/<sig>/`` or ``<mode>/<k>/grad/``)."""
    if key.startswith("grad/"):
        return "/".join(key.split("/")[:2]) + "/"
    return key.split("/grad/")[0] + "/grad/" if "/grad/" in key else None


def _assert_recorded_alike(fresh, expected) -> None:
    """Values within ACROSS_MACHINES of their scale, gradients within
    ACROSS_MACHINES_GRADIENTS of their call's largest (tests/support/numerics.py)."""
    largest: dict[str, float] = {}
    for key in expected.files:
        call = _gradient_of(key)
        if call is not None:
            largest[call] = max(largest.get(call, 0.0), scale(expected[key]))
    for key in expected.files:
        call = _gradient_of(key)
        if call is None:
            assert_close(fresh[key], expected[key], rtol=ACROSS_MACHINES, err_msg=key)
        else:
            assert_close(fresh[key], expected[key], rtol=ACROSS_MACHINES_GRADIENTS,
                         of=largest[call], err_msg=key)
