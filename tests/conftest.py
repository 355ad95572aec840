"""Fixtures and hooks for every test (helpers are in tests/support/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import paths
from tests.support.hub_server import HubServer, setup_env

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_addoption(parser):
    parser.addoption("--heavy", action="store_true",
                     help="also run the tests marked heavy (docs/tests.md); CI does")


def pytest_collection_modifyitems(config, items):
    """Without --heavy, the tests marked heavy skip (with one reason, counted in the summary)."""
    if config.getoption("--heavy"):
        return
    skip = pytest.mark.skip(reason=paths.HEAVY_SKIPPED)
    for item in items:
        if item.get_closest_marker("heavy"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Skipped tests as one line per reason, with a count (``-rs`` lists each one)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped or set(config.option.reportchars or "") & set("saA"):
        return  # -rs / -ra already list every skip
    reasons: dict[str, int] = {}
    for report in skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        if report.nodeid.startswith("tests/test_docs.py::"):
            reason = "documented examples marked <!-- skip: next --> (the reason is in the doc)"
        reasons[reason] = reasons.get(reason, 0) + 1
    terminalreporter.section(f"{len(skipped)} skipped, by reason (-rs lists each)", sep="-")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.line(f"{count:5d}  {reason}")


@pytest.fixture
def genuine_copy(tmp_path):
    """Copies a genuine module into a writable temp folder (shared/ is read-only)."""

    def copy(name: str) -> Path:
        target = tmp_path / Path(name).name
        shutil.copytree(paths.genuine(name), target)
        for root, dirs, files in os.walk(target):
            for entry in dirs + files:
                os.chmod(os.path.join(root, entry), 0o755 if entry in dirs else 0o644)
        os.chmod(target, 0o755)
        return target

    return copy


@pytest.fixture
def cache_dir(monkeypatch, tmp_path):
    """An empty hubcompat cache folder; no offline mode, retries, proxy or progress bar."""
    return setup_env(monkeypatch, tmp_path)


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 (tests/support/hub_server.py): add routes to it."""
    with HubServer() as hub:
        yield hub
