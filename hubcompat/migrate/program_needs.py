"""What a migrated program needs besides its code: packages, and a person where it cannot run.

``tf1_program`` notes the packages its rewrites import (``tf-keras`` for Keras 2
code kept on tf-keras, ``tf-slim`` for ``tf.contrib.slim``) as the ``needs`` of
its report events. After all files of a run are migrated, this adds those
packages to the run's ``requirements*.txt`` files that declare TensorFlow or
tensorflow-hub (one line each, at the end, once), and sorts the files into
those that will run as they are and those that need a person (a TODO or an
error: the reason and the way out are in their messages).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hubcompat._fileio import write_atomic
from hubcompat.migrate.sources import decode, encode

_DECLARES_TF = re.compile(r"(?im)^[ \t]*(?:tensorflow|tf-nightly|hubcompat)\b")


def needed(results: Iterable[Any]) -> list[str]:
    """The packages the migrated files need (sorted)."""
    return sorted({n for r in results for e in r.events for n in e.get("needs", ())})


def _is_requirements(path: str) -> bool:
    name = os.path.basename(path)
    return name.startswith("requirements") and name.endswith((".txt", ".in"))


def add_to_requirements(paths: Iterable[str], packages: list[str], write: bool) -> list[Any]:
    """``FileResult``s of the requirements files that got (or would get) ``packages``."""
    from hubcompat.migrate.runner import FileResult

    results = []
    for path in paths:
        if not packages or not _is_requirements(path):
            continue
        try:
            source = decode(Path(path).read_bytes())
        except (OSError, UnicodeError, LookupError):
            continue
        text = source.text
        if not _DECLARES_TF.search(text):
            continue
        missing = [
            p for p in packages
            if not re.search(rf"(?im)^[ \t]*{p.replace('-', '[-_]')}\b", text)
        ]  # fmt: skip
        if not missing:
            continue
        newline = "\r\n" if "\r\n" in text else "\n"
        new = text + ("" if not text or text.endswith(("\n", "\r")) else newline)
        new += "".join(f"{p}{newline}" for p in missing)
        events = [
            {"codemod": "tf1_program", "kind": "change", "line": 0,
             "message": f"added {p}: the migrated TF1 code imports it"}
            for p in missing
        ]  # fmt: skip
        result = FileResult(path, "changed", events=events)
        if write:
            try:
                write_atomic(Path(path), encode(source, new))
            except OSError as exc:
                result = FileResult(path, "error", f"cannot write ({exc.strerror or exc})")
        results.append(result)
    return results


def complete(results: list[Any], paths: Iterable[str], write: bool) -> list[Any]:
    """``results`` with the requirements files' additions merged in (one result a path)."""
    added = {r.path: r for r in add_to_requirements(paths, needed(results), write)}
    out = []
    for result in results:
        extra = added.pop(result.path, None)
        if extra is not None and result.status != "error":
            result.events += extra.events
            result.status, result.reason = extra.status, extra.reason
        out.append(result)
    return out + list(added.values())


def verdicts(results: Iterable[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """(files that will run as they are, [{path, reasons}] of files that need a person)."""
    runs, person = [], []
    for result in results:
        if result.status == "error":
            person.append({"path": result.path, "reasons": [result.reason]})
            continue
        if result.status == "skipped":
            continue
        todos = list(dict.fromkeys(e["message"] for e in result.events if e["kind"] == "todo"))
        if todos:
            person.append({"path": result.path, "reasons": todos})
        elif result.path.endswith((".py", ".ipynb")):
            runs.append(result.path)
    return runs, person


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The end of a run: which files run as they are, which need a person and why."""
    runs, person = report["runs_as_is"], report["needs_a_person"]
    lines = [f"will run as they are: {_files(len(runs))}; need a person: {_files(len(person))}"]
    for entry in person:
        lines += [f"  {entry['path']}: {reason}" for reason in entry["reasons"]]
    if report.get("needs"):
        lines.append(f"the migrated code needs: {', '.join(report['needs'])} (pip install)")
    return lines


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"
