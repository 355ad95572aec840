"""Where things are: the repository, our fixtures, ../shared (the genuine TF1 exports)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
GENUINE = SHARED / "genuine_tf1"
FIXTURES = REPO / "fixtures" / "tf1_modules"
GENUINE_PARITY = REPO / "tests" / "genuine_parity"  # probes run here and in genuine tensorflow_hub
LEGACY_PROGRAMS = REPO / "tests" / "legacy_programs"  # programs run here and in genuine tensorflow_hub

# One reason for every test that needs ../shared (the summary groups skips by reason;
# .ci/run reruns the tests skipped with it, where ../shared is).
GENUINE_MISSING = ("needs the genuine tensorflow_hub exports in ../shared/genuine_tf1, "
                   "which a clone does not have")

# The reason of every test marked heavy, skipped without --heavy (tests/conftest.py);
# .ci/run reruns the tests skipped with it, with --heavy.
HEAVY_SKIPPED = ("heavy (multi-process, big modules, every fixture x every API): "
                 "CI runs it, and `python -m pytest --heavy`")

# The Python of a venv with genuine tensorflow_hub 0.15 (nox -s legacy_reference makes one).
LEGACY_PYTHON = os.environ.get("HUBCOMPAT_LEGACY_PYTHON") or str(
    REPO / ".nox" / "legacy_reference" / "bin" / "python")


def genuine(name: str) -> Path:
    """``../shared/genuine_tf1/NAME``; skips the test when ../shared is not there."""
    path = GENUINE / name
    if not path.exists():
        pytest.skip(GENUINE_MISSING)
    return path

# The Python 3 programs the codemods run on in tests/migrate (legacy/ is Python 2).
MIGRATE_SAMPLES = sorted(
    p
    for folder in ("sample_tree", "modern_programs")
    for p in (REPO / "tests" / "migrate" / folder).rglob("*.py")
    if "legacy" not in p.relative_to(REPO).parts
)
