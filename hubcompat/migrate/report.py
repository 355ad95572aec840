"""The run report: per-file changes, TODOs and skipped files, as JSON or Markdown."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hubcompat.migrate.runner import FileResult


def build(results: Iterable[FileResult], target: str, codemods: list[str]) -> dict[str, Any]:
    from hubcompat.migrate import program_needs

    results = list(results)
    runs, person = program_needs.verdicts(results)
    files: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for result in results:
        counts[result.status] += 1
        if result.status == "error":
            skipped.append({"path": result.path, "reason": result.reason})
            continue
        for cell in result.skipped_cells:
            skipped.append({"path": result.path, "reason": cell})
        if result.status == "changed" or result.events:
            files.append(
                {
                    "path": result.path,
                    "status": result.status,
                    "changes": [_entry(e) for e in result.events if e["kind"] == "change"],
                    "todos": [_entry(e) for e in result.events if e["kind"] == "todo"],
                }
            )
    return {
        "target": target,
        "codemods": codemods,
        "counts": {
            "changed": counts["changed"],
            "unchanged": counts["unchanged"],
            "no_tensorflow_hub_reference": counts["skipped"],
            "errors": counts["error"],
            "todos": sum(len(f["todos"]) for f in files),
        },
        "files": files,
        "skipped": skipped,
        "runs_as_is": runs,
        "needs_a_person": person,
        "needs": program_needs.needed(results),
    }


def located(path: str, item: dict[str, Any]) -> str:
    """``path: cell N: line L: `` (the parts that are known), to start a printed line."""
    where = [path]
    if item.get("cell") is not None:
        where.append(f"cell {item['cell']}")
    if item.get("line"):
        where.append(f"line {item['line']}")
    return ": ".join(where) + ": "


def _entry(event: dict[str, Any]) -> dict[str, Any]:
    keys = ("codemod", "cell", "line", "message")
    return {k: event[k] for k in keys if event.get(k) is not None}


def to_markdown(report: dict[str, Any]) -> str:
    c = report["counts"]
    lines = [
        "# hubcompat migration report",
        "",
        f"Target: `{report['target']}`. Codemods: {', '.join(f'`{n}`' for n in report['codemods'])}.",
        "",
        f"- changed: {c['changed']}",
        f"- unchanged: {c['unchanged']}",
        f"- without a tensorflow_hub reference (not parsed): {c['no_tensorflow_hub_reference']}",
        f"- could not be migrated: {c['errors']}",
        f"- TODOs left for a human: {c['todos']}",
        "",
    ]
    for entry in report["files"]:
        lines += [f"## `{entry['path']}` ({entry['status']})", ""]
        for kind, title in (("changes", "change"), ("todos", "TODO")):
            for item in entry[kind]:
                lines.append(
                    f"- `{located(entry['path'], item).rstrip(': ')}`: {title} "
                    f"(`{item['codemod']}`): {item['message']}"
                )
        lines.append("")
    lines += ["## Will it run?", ""]
    lines += [f"- will run as they are: {len(report['runs_as_is'])}"]
    lines += [f"- need a person: {len(report['needs_a_person'])}"]
    lines += [f"  - `{p['path']}`: {r}" for p in report["needs_a_person"] for r in p["reasons"]]
    if report["needs"]:
        lines.append(f"- the migrated code needs: {', '.join(report['needs'])}")
    lines.append("")
    if report["skipped"]:
        lines += ["## Skipped", ""]
        lines += [f"- `{s['path']}`: {s['reason']}" for s in report["skipped"]]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write(report: dict[str, Any], path: str) -> None:
    """``*.md`` gets Markdown, anything else JSON."""
    if path.endswith((".md", ".markdown")):
        text = to_markdown(report)
    else:
        text = json.dumps(report, indent=2) + "\n"
    Path(path).write_text(text, encoding="utf-8")
