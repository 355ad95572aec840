"""One file: read -> (skip if no tensorflow_hub) -> rewrite -> compile -> atomic write.

Python files go through the codemods, notebooks through ``notebooks``,
dependency declarations (requirements*.txt, setup.cfg, pyproject.toml)
through ``dependencies``. Reasons and events never repeat the path: the
result carries it (``report.located`` prints ``path: cell N: line L: ...``).

Many files: in this process (``jobs=1``) or in a process pool. A file that
cannot be migrated gives an ``error`` result with the reason and is left
byte-identical; the run goes on (``file_problems`` words the reason: symlink
loop, binary file, encoding). A read-only file is left as it is ("read-only"
result) unless ``force``. Unchanged files are never written (their bytes and
mtime stay). Ctrl-C stops the run between files (``interrupts``).
"""

from __future__ import annotations

import concurrent.futures
import difflib
import functools
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hubcompat import _requirement
from hubcompat._fileio import write_atomic
from hubcompat.codemods._tf1 import may_be_tf1
from hubcompat.errors import MigrationError
from hubcompat.migrate import file_problems, interrupts, registry
from hubcompat.migrate.dependencies import MENTIONS_HUB, is_dependency_file
from hubcompat.migrate.dependencies import rewrite_file as rewrite_dependencies
from hubcompat.migrate.sources import decode, encode


@dataclass(frozen=True)
class Options:
    target: str = "hubcompat"
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    write: bool = True
    diff: bool = False
    #: rewrite read-only files too (keeping their mode)
    force: bool = False
    #: what tensorflow-hub requirements become (default: how this hubcompat was installed)
    requirement: str | None = None


@dataclass
class FileResult:
    path: str
    #: "changed", "unchanged", "skipped" (no tensorflow_hub reference, not parsed),
    #: "read-only" (would change; left unchanged) or "error"
    status: str
    reason: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    skipped_cells: list[str] = field(default_factory=list)
    diff: str = ""


def markers(target: str) -> tuple[bytes, ...]:
    # Modern also picks up code an earlier `--target hubcompat` run moved to hubcompat.
    return (b"tensorflow_hub", b"hubcompat") if target == "modern" else (b"tensorflow_hub",)


def needs_work(path: str, data: bytes, target: str, tf1: bool = True) -> bool:
    """The cheap byte test before any parsing: can this file refer to tensorflow_hub (or,
    with ``tf1``, be TF1 code for ``tf1_program``)?"""
    if any(marker in data for marker in markers(target)):
        return True
    name = os.path.basename(path)
    if tf1 and name.endswith((".py", ".ipynb")) and may_be_tf1(data, name.endswith(".ipynb")):
        return True
    if name == "setup.py" or name.endswith(".ipynb") or is_dependency_file(path):
        return MENTIONS_HUB.search(data) is not None  # "tensorflow-hub" requirements
    return False


def _unprefixed(path: str, message: str) -> str:
    """Messages name the file once: the result carries the path, printing adds it."""
    return message.removeprefix(f"{path}: ").strip()


def migrate_file(path: str | os.PathLike[str], options: Options) -> FileResult:
    with _requirement.override(options.requirement):
        return _migrate_file(os.fspath(path), options)


def _migrate_file(path: str, options: Options) -> FileResult:
    codemods = registry.select(options.target, list(options.only), list(options.skip))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return FileResult(path, "error", file_problems.cannot_read(path, exc))
    if not needs_work(path, data, options.target, _tf1_selected(options)):
        return FileResult(path, "skipped", "no tensorflow_hub reference")
    problem = file_problems.undecodable(path, data)
    if problem:
        return FileResult(path, "error", problem)
    skipped_cells: list[str] = []
    try:
        if path.endswith(".ipynb"):
            from hubcompat.migrate.notebooks import transform_notebook

            notebook = transform_notebook(data.decode("utf-8"), codemods, path)
            old_text, new_text = data.decode("utf-8"), notebook.text
            events, skipped_cells = notebook.events, notebook.skipped_cells
            new_data = new_text.encode("utf-8")
        elif is_dependency_file(path):
            source = decode(data)
            old_text = source.text
            rewrite = rewrite_dependencies(path, old_text)
            new_text = rewrite.text
            events = [
                {"codemod": "dependencies", "kind": kind, "line": line, "message": message}
                for kind, entries in (("change", rewrite.changes), ("todo", rewrite.todos))
                for line, message in entries
            ]
            new_data = encode(source, new_text)
        else:
            from hubcompat.migrate.transform import check_compiles, run_codemods

            source = decode(data)
            old_text = source.text
            new_text, events = run_codemods(old_text, codemods, path)
            if new_text != old_text:
                check_compiles(new_text, path)
            new_data = encode(source, new_text)
    except (MigrationError, SyntaxError, UnicodeError, LookupError, ValueError) as exc:
        return FileResult(path, "error", _unprefixed(path, str(exc)) or type(exc).__name__)
    if new_data == data:
        return FileResult(path, "unchanged", events=events, skipped_cells=skipped_cells)
    result = FileResult(path, "changed", events=events, skipped_cells=skipped_cells)
    if options.diff:
        result.diff = "".join(
            difflib.unified_diff(
                old_text.splitlines(keepends=True),
                new_text.splitlines(keepends=True),
                fromfile=path,
                tofile=path,
            )
        )
    if options.write and not options.force:
        problem = file_problems.read_only(path)
        if problem:
            return FileResult(path, "read-only", problem, events, skipped_cells)
    if options.write:
        try:
            write_atomic(Path(path), new_data)
        except OSError as exc:
            return FileResult(path, "error", file_problems.cannot_write(exc))
    return result


def migrate_files(
    paths: Sequence[str | os.PathLike[str]], options: Options, jobs: int = 1
) -> Iterator[FileResult]:
    """Results in the order of ``paths``; ``jobs > 1`` uses that many processes.

    Ctrl-C (``KeyboardInterrupt``) is raised between files, after the results of
    every file that was being migrated (written or not) have been yielded."""
    registry.select(options.target, list(options.only), list(options.skip))  # fail fast
    work = functools.partial(migrate_file, options=options)
    with interrupts.deferred_sigint() as interrupted:
        if jobs <= 1 or len(paths) <= 1:
            for path in paths:
                if interrupted:
                    raise KeyboardInterrupt
                yield work(path)
        else:
            yield from _in_processes(paths, options, jobs, work, interrupted)
    if interrupted:
        raise KeyboardInterrupt


def _in_processes(
    paths: Sequence[str | os.PathLike[str]],
    options: Options,
    jobs: int,
    work: functools.partial[FileResult],
    interrupted: list[int],
) -> Iterator[FileResult]:
    # Skip-before-parse happens here, so only files to parse go to the workers,
    # one at a time (big files would unbalance chunks on 2 cores).
    wanted = [_mentions_hub(path, options.target, _tf1_selected(options)) for path in paths]
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported libcst and codemods (this process never imports TF).
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=interrupts.ignore_sigint
    ) as pool:
        futures = [pool.submit(work, p) for p, w in zip(paths, wanted, strict=True) if w]
        done = 0
        for path, want in zip(paths, wanted, strict=True):
            if interrupted:
                break
            if want:
                done += 1
                yield futures[done - 1].result()
            else:
                yield FileResult(os.fspath(path), "skipped", "no tensorflow_hub reference")
        if interrupted:  # what has not started is cancelled; what has, ends and is reported
            rest = futures[done:]
            for future in rest:
                future.cancel()
            concurrent.futures.wait(rest)
            yield from (f.result() for f in rest if not f.cancelled())


def _mentions_hub(path: str | os.PathLike[str], target: str, tf1: bool = True) -> bool:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return True  # let the worker report it
    return needs_work(os.fspath(path), data, target, tf1)


def _tf1_selected(options: Options) -> bool:
    return "tf1_program" not in options.skip and (not options.only or "tf1_program" in options.only)
