"""One file: read -> (skip if no tensorflow_hub) -> rewrite -> compile -> atomic write.

Python files go through the codemods, notebooks through ``notebooks``,
dependency declarations (requirements*.txt, setup.cfg, pyproject.toml)
through ``dependencies``. Reasons and events never repeat the path: the
result carries it (``report.located`` prints ``path: cell N: line L: ...``).

Many files: in this process (``jobs=1``) or in a process pool. A file that
cannot be migrated gives an ``error`` result with the reason and is left
byte-identical; the run goes on. Unchanged files are never written (their
bytes and mtime stay).
"""

from __future__ import annotations

import difflib
import functools
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hubcompat._fileio import write_atomic
from hubcompat.codemods._tf1 import may_be_tf1
from hubcompat.errors import MigrationError
from hubcompat.migrate import registry
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


@dataclass
class FileResult:
    path: str
    #: "changed", "unchanged", "skipped" (no tensorflow_hub reference, not parsed) or "error"
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
    path = os.fspath(path)
    codemods = registry.select(options.target, list(options.only), list(options.skip))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return FileResult(path, "error", f"cannot read ({exc.strerror or exc}); left unchanged")
    if not needs_work(path, data, options.target, _tf1_selected(options)):
        return FileResult(path, "skipped", "no tensorflow_hub reference")
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
    if options.write:
        try:
            write_atomic(Path(path), new_data)
        except OSError as exc:
            return FileResult(
                path, "error", f"cannot write ({exc.strerror or exc}); left unchanged"
            )
    return result


def migrate_files(
    paths: Sequence[str | os.PathLike[str]], options: Options, jobs: int = 1
) -> Iterator[FileResult]:
    """Results in the order of ``paths``; ``jobs > 1`` uses that many processes."""
    registry.select(options.target, list(options.only), list(options.skip))  # fail fast
    work = functools.partial(migrate_file, options=options)
    if jobs <= 1 or len(paths) <= 1:
        yield from map(work, paths)
        return
    # Skip-before-parse happens here, so only files to parse go to the workers,
    # one at a time (big files would unbalance chunks on 2 cores).
    wanted = [_mentions_hub(path, options.target, _tf1_selected(options)) for path in paths]
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported libcst and codemods (this process never imports TF).
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        parsed = pool.map(work, [p for p, w in zip(paths, wanted, strict=True) if w])
        for path, want in zip(paths, wanted, strict=True):
            if want:
                yield next(parsed)
            else:
                yield FileResult(os.fspath(path), "skipped", "no tensorflow_hub reference")


def _mentions_hub(path: str | os.PathLike[str], target: str, tf1: bool = True) -> bool:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return True  # let the worker report it
    return needs_work(os.fspath(path), data, target, tf1)


def _tf1_selected(options: Options) -> bool:
    return "tf1_program" not in options.skip and (not options.only or "tf1_program" in options.only)
