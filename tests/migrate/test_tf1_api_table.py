"""The TF1 -> TF2 table ``tf1_program`` uses is TensorFlow's own API, regenerated as committed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hubcompat.codemods import _tf1_api

from tests.support.paths import LEGACY_PYTHON, REPO


def test_table_holds_what_the_rewrites_rely_on():
    assert {"Session", "placeholder", "layers", "GraphKeys"} <= _tf1_api.V1_ONLY
    assert "estimator" in _tf1_api.REMOVED and "estimator" not in _tf1_api.V1_ONLY
    assert "summary.scalar" in _tf1_api.V1_SEMANTICS  # v2's writes to a default writer
    assert not (_tf1_api.V1_ONLY & _tf1_api.V2_ONLY)


@pytest.mark.heavy  # two TensorFlow versions imported in subprocesses
def test_committed_table_is_what_the_script_records(tmp_path):
    legacy = LEGACY_PYTHON
    if not os.path.exists(legacy):
        pytest.skip("no TensorFlow 2.15 Python (HUBCOMPAT_LEGACY_PYTHON) on this machine")
    out = tmp_path / "_tf1_api.py"
    subprocess.run(
        [sys.executable, str(REPO / "tests" / "migrate" / "record_tf1_api.py"), "--tf215-python", legacy,
         "--out", str(out)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    assert out.read_text() == (REPO / "codemods" / "_tf1_api.py").read_text()
