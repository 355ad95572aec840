"""The matrix is defined once: nox lists the cells, the GitHub workflow runs each of
them on every Python its TensorFlow release has wheels for."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.support.paths import REPO

yaml = pytest.importorskip("yaml")
pytest.importorskip("nox")
sys.path.insert(0, str(REPO))
import noxfile  # noqa: E402


def _nox_sessions() -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "nox", "-l", "--json"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=True)
    return [s["session"] for s in json.loads(proc.stdout)]


def _cells() -> list[str]:
    """The sessions that are matrix cells: all but lint (ruff, mypy; no TensorFlow) and
    nightly (tomorrow's TensorFlow, its own scheduled workflow)."""
    return [s for s in _nox_sessions() if s not in ("lint", "nightly")]


def _tf_of(session: str) -> str:
    match = re.search(r"tf='([\d.]+)'", session)
    if match:
        return match.group(1)
    return {"hub016": noxfile.NEWEST, "legacy_reference": "2.15"}[session]


def test_nox_lists_every_cell():
    sessions = _nox_sessions()
    assert sessions == [
        *(f"tests(tf='{tf}')" for tf in ("2.13", "2.15", "2.16", noxfile.NEWEST)),
        *(f"tests_tf_keras(tf='{tf}')" for tf in ("2.16", noxfile.NEWEST)),
        "hub016", "legacy_reference", "nightly", "lint",
    ]
    assert noxfile.OLDEST == "2.13"


def test_workflow_is_valid_yaml_and_mirrors_the_sessions():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "matrix.yml").read_text())
    job = workflow["jobs"]["cell"]
    cells = {(c["session"], c["python"]) for c in job["strategy"]["matrix"]["include"]}
    expected = {(s, py) for s in _cells() for py in noxfile.PYTHONS[_tf_of(s)]}
    assert cells == expected
    assert job["steps"][-1]["run"] == 'nox -s "${{ matrix.session }}"'
    assert {py for _, py in cells} == {"3.10", "3.11", "3.12", "3.13"}
    assert workflow["jobs"]["lint"]["steps"][-1]["run"] == "nox -s lint"


def test_nightly_workflow_runs_the_nightly_session_every_day():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "nightly.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert [entry["cron"] for entry in triggers["schedule"]] and "pull_request" not in triggers
    (job,) = workflow["jobs"].values()
    assert job["steps"][-1]["run"] == "nox -s nightly"
    assert set(job["strategy"]["matrix"]["python"]) <= set(noxfile.PYTHONS[noxfile.NEWEST])
    assert noxfile.NIGHTLY == ["tf-nightly", "keras-nightly", "tf-keras-nightly"]
    assert all((REPO / path).is_file() for path in noxfile.NIGHTLY_TESTS)
