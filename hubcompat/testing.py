"""A pytest plugin that runs ``python -m hubcompat check`` as tests.

Enable it with ``pytest -p hubcompat.testing`` (or ``pytest_plugins =
["hubcompat.testing"]`` in a ``conftest.py``); it is not registered as an
entry point, so other pytest runs never import TensorFlow because of it. It
provides:

- the fixture ``hubcompat_check(handle, reference=None, ...)``, which runs
  the checks and fails the test with the FAIL lines;
- ``--hubcompat-module HANDLE`` (repeatable): one test item per module and
  check (``load``, ``call``, ``reference``, ``keras``, ``reexport``,
  ``training``), so a CI needs no test code;
- ``--hubcompat-reference-dir DIR``: compare each module with
  ``DIR/<name>.npz`` (``<name>``: the handle's last path part, without an
  archive suffix); with ``--hubcompat-record`` the references are written
  (replacing existing ones) instead.

TensorFlow is imported only when a check runs (docs/checking.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from hubcompat.check_names import FAIL, GROUPS, SKIP, SKIPPABLE
from hubcompat.tolerances import DEFAULT_ATOL, DEFAULT_RTOL

if TYPE_CHECKING:  # hubcompat.checks imports TensorFlow
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from hubcompat.checks import CheckResult

_ARCHIVE_SUFFIX = re.compile(r"(\.tar\.gz|\.tgz|\.tar|\.zip)$")
# handle -> its check results, or the error that stopped them (one run per session).
_RESULTS = pytest.StashKey[dict[str, "list[CheckResult] | Exception"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hubcompat", "hubcompat model checks (hubcompat.testing)")
    group.addoption("--hubcompat-module", action="append", default=[], metavar="HANDLE",
                    help="check this model (repeatable): one test per module and check")
    group.addoption("--hubcompat-reference-dir", metavar="DIR",
                    help="compare each module's outputs with DIR/<name>.npz")
    group.addoption("--hubcompat-record", action="store_true",
                    help="write DIR/<name>.npz (replacing it) instead of comparing")
    group.addoption("--hubcompat-skip", default="", metavar="CHECKS",
                    help=f"comma-separated checks not to run: {', '.join(SKIPPABLE)}")
    group.addoption("--hubcompat-atol", type=float, default=DEFAULT_ATOL, help="absolute tolerance")
    group.addoption("--hubcompat-rtol", type=float, default=DEFAULT_RTOL, help="relative tolerance")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RESULTS] = {}
    if config.getoption("hubcompat_record") and not config.getoption("hubcompat_reference_dir"):
        raise pytest.UsageError("--hubcompat-record needs --hubcompat-reference-dir DIR")
    names = [reference_name(h) for h in config.getoption("hubcompat_module")]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes and config.getoption("hubcompat_reference_dir"):
        raise pytest.UsageError(
            f"Several --hubcompat-module handles end in {', '.join(clashes)}: their reference "
            "files would clash; check them in separate runs.")


def reference_name(handle: str) -> str:
    """The reference file name of a handle: ``path/to/mlp_bn.tar.gz`` -> ``mlp_bn.npz``."""
    last = str(handle).rstrip("/").replace("\\", "/").rsplit("/", 1)[-1]
    return _ARCHIVE_SUFFIX.sub("", last) + ".npz"


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    for handle in config.getoption("hubcompat_module"):
        label = reference_name(handle)[: -len(".npz")]
        groups = [g for g in GROUPS if g != "reference"
                  or config.getoption("hubcompat_reference_dir")]
        for group in groups:
            items.append(CheckItem.from_parent(
                session, name=f"{label}::{group}", nodeid=f"hubcompat/{label}::{group}",
                handle=handle, group=group))


class CheckFailed(Exception):
    """The FAIL lines of one check group (shown without a traceback)."""


class CheckItem(pytest.Item):
    """One check group (``load``, ``call``, ...) of one ``--hubcompat-module``."""

    def __init__(self, *, handle: str, group: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handle, self.group = handle, group

    def runtest(self) -> None:
        outcome = _module_results(self.config, self.handle)
        if isinstance(outcome, Exception):
            if self.group == "load":
                raise CheckFailed(f"FAIL load  {type(outcome).__name__}: {outcome}")
            pytest.skip(f"{self.handle!r} did not load")
        group = "record" if self.group == "reference" and self.config.getoption(
            "hubcompat_record") else self.group
        results = [r for r in outcome if r.group == group]
        lines = "\n".join(r.line() for r in results)
        if any(r.failed for r in results):
            raise CheckFailed(lines)
        if results and all(r.status == SKIP for r in results):
            pytest.skip(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: TracebackStyle | None = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, CheckFailed):
            return f"hubcompat check {self.handle}:\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"hubcompat check {self.handle} [{self.group}]"


def _module_results(config: pytest.Config, handle: str) -> list[CheckResult] | Exception:
    """The check results of ``handle`` (run once per session), or the error loading it raised."""
    cache = config.stash[_RESULTS]
    if handle not in cache:
        cache[handle] = _run(config, handle)
    return cache[handle]


def _run(config: pytest.Config, handle: str) -> list[CheckResult] | Exception:
    from hubcompat import errors
    from hubcompat.checks import CheckResult, run_checks

    folder = config.getoption("hubcompat_reference_dir")
    path = Path(folder) / reference_name(handle) if folder else None
    record = config.getoption("hubcompat_record")
    skip = tuple(s.strip() for s in config.getoption("hubcompat_skip").split(",") if s.strip())
    missing = path is not None and not record and not path.is_file()
    try:
        results = run_checks(
            handle, reference=None if missing or record else path,
            record=path if record else None, overwrite=True, skip=skip,
            atol=config.getoption("hubcompat_atol"), rtol=config.getoption("hubcompat_rtol"))
    except errors.HubcompatError as e:
        return e
    if missing:
        results.append(CheckResult("reference", FAIL, f"no reference file {path}: record it "
                                   "with --hubcompat-record"))
    return results


@pytest.fixture
def hubcompat_check() -> Callable[..., list[CheckResult]]:
    """``hubcompat_check(handle, reference=None, **options)``: runs the checks, fails on a FAIL.

    Options are those of :func:`hubcompat.checks.run_checks` (``inputs``,
    ``atol``, ``rtol``, ``tags``, ``skip``). Returns the results when none failed.
    """

    def check(handle: str | os.PathLike[str], reference: str | os.PathLike[str] | None = None,
              **options: Any) -> list[CheckResult]:
        from hubcompat.checks import run_checks

        results = run_checks(handle, reference=reference, **options)
        if any(r.failed for r in results):
            pytest.fail(f"hubcompat check {handle}:\n" + "\n".join(r.line() for r in results),
                        pytrace=False)
        return results

    return check
