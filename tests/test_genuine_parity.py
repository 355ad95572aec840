"""hubcompat behaves as genuine tensorflow_hub did: the probes of tests/genuine_parity.

genuine.json holds what genuine tensorflow_hub 0.15.0 (TF 2.15) did for each probe;
the KerasLayer probes run in tests/keras_layer/test_genuine_parity.py (under Keras 3
and tf-keras). With HUBCOMPAT_LEGACY_PYTHON (a Python with genuine tensorflow_hub
0.15, e.g. the legacy_reference nox cell's), the record itself is checked against a
fresh run of genuine tensorflow_hub.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "tests" / "genuine_parity"))
import parity  # noqa: E402
import probes  # noqa: E402

import hubcompat  # noqa: E402

LEGACY_PYTHON = os.environ.get("HUBCOMPAT_LEGACY_PYTHON") or str(
    REPO / ".nox" / "legacy_reference" / "bin" / "python")


@pytest.mark.parametrize("name", parity.names(keras=False))
def test_hubcompat_does_what_tensorflow_hub_did(name):
    parity.check(name, hubcompat)


def test_every_difference_is_documented():
    for name, (page, _) in parity.DIFFERENCES.items():
        assert name in probes.PROBES
        assert f"`{name}`" in (REPO / page).read_text(encoding="utf-8"), (page, name)


def test_record_is_what_genuine_tensorflow_hub_does(tmp_path):
    """Re-runs every probe on genuine tensorflow_hub 0.15 and compares with genuine.json."""
    probe = subprocess.run([LEGACY_PYTHON, "-c", "import tensorflow_hub; tensorflow_hub.Module"],
                           capture_output=True) if os.path.exists(LEGACY_PYTHON) else None
    if probe is None or probe.returncode != 0:
        pytest.skip("needs genuine tensorflow_hub 0.15: set HUBCOMPAT_LEGACY_PYTHON")
    proc = subprocess.run(
        [LEGACY_PYTHON, str(REPO / "tests" / "genuine_parity" / "record.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=900,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    fresh = json.loads(proc.stdout.strip().splitlines()[-1])
    recorded = parity.GENUINE["probes"]
    assert sorted(fresh) == sorted(recorded) == sorted(probes.PROBES)
    for name in sorted(fresh):
        assert parity.mismatch(name, recorded[name], fresh[name]) is None, name
