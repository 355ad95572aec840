"""Shared test fixtures: where the genuine modules and our fixtures live."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GENUINE = SHARED / "genuine_tf1"
FIXTURES = REPO / "fixtures" / "tf1_modules"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def genuine(name: str) -> Path:
    path = GENUINE / name
    if not path.exists():
        pytest.skip(f"genuine module {name} not found at {path} (../shared missing)")
    return path


@pytest.fixture
def genuine_copy(tmp_path):
    """Copies a genuine module into a writable temp folder (shared/ is read-only)."""

    def copy(name: str) -> Path:
        target = tmp_path / Path(name).name
        shutil.copytree(genuine(name), target)
        for root, dirs, files in os.walk(target):
            for entry in dirs + files:
                os.chmod(os.path.join(root, entry), 0o755 if entry in dirs else 0o644)
        os.chmod(target, 0o755)
        return target

    return copy
