"""Jupyter notebooks: migrate the code cells, keep everything else byte for byte.

- The notebook is read with nbformat (validated, any nbformat 4.x), and written
  back with the JSON layout it came with (indent, ASCII escaping, key order,
  final newline) found by re-dumping the unchanged notebook: if that does not
  give back the exact bytes, the notebook is left alone and reported
  (tf_upgrade_v2 rewrote notebooks onto one line).
- All code cells are migrated as *one* module, so ``import tensorflow_hub as
  hub`` in the first cell is known in the tenth; a marker comment between
  cells splits them back.
- IPython syntax (``%magic``, ``!shell``, ``x = !cmd``, ``obj?``) is masked
  as ``pass`` placeholders while libcst looks, and restored; cells with a
  ``%%cell_magic`` or that do not parse are left as they are and reported.
- Cells whose code did not change keep their exact ``source`` value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import nbformat

from hubcompat.errors import MigrationError, NotebookLayoutError
from hubcompat.migrate.transform import (
    ALLOW_TOP_LEVEL_AWAIT,
    check_compiles,
    parse,
    run_codemods,
)

# %line magic, !shell, ?obj / obj?? help, x = !cmd / x = %magic
_MAGIC = re.compile(
    r"^(?P<indent>[ \t]*)(?:[%!?]|[\w.]+\?{1,2}[ \t]*$|[\w.,\s\[\]()*]+=[ \t]*[%!])"
)
_MARK = "# hubcompat-notebook-cell-{}"
_MARK_RE = re.compile(r"^# hubcompat-notebook-cell-(\d+)\n", re.MULTILINE)
_LAYOUTS = [
    {"indent": indent, "ensure_ascii": ascii_}
    for indent in (1, 2, 4, None, 0, 3)
    for ascii_ in (False, True)
]


@dataclass
class NotebookResult:
    text: str
    events: list[dict[str, Any]] = field(default_factory=list)
    skipped_cells: list[str] = field(default_factory=list)


def _layout(raw: str, data: Any) -> tuple[dict[str, Any], str]:
    for layout in _LAYOUTS:
        dumped = json.dumps(data, **layout)
        for end in ("\n", ""):
            if dumped + end == raw:
                return layout, end
    raise NotebookLayoutError(
        "notebook JSON layout is not one json.dumps writes back byte for byte; left unchanged"
    )


def _mask(code: str) -> tuple[str, dict[int, str]]:
    masked, magics = [], {}
    for number, line in enumerate(code.splitlines(keepends=True)):
        match = _MAGIC.match(line)
        if match:
            magics[number] = line
            ending = "\n" if line.endswith("\n") else ""
            masked.append(f"{match.group('indent')}pass  # hubcompat-magic{ending}")
        else:
            masked.append(line)
    return "".join(masked), magics


def _unmask(code: str, magics: dict[int, str]) -> str:
    """Put magic lines back; codemods only add lines, so match placeholders in order."""
    if not magics:
        return code
    originals = iter(magics[k] for k in sorted(magics))
    lines = []
    for line in code.splitlines(keepends=True):
        if line.rstrip("\r\n").endswith("pass  # hubcompat-magic"):
            lines.append(next(originals))
        else:
            lines.append(line)
    return "".join(lines)


def _is_python(notebook: Any) -> bool:
    metadata = notebook.get("metadata", {})
    language = (metadata.get("kernelspec", {}) or {}).get("language") or (
        metadata.get("language_info", {}) or {}
    ).get("name")
    return language in (None, "python", "python3")


def transform_notebook(raw: str, codemods: Sequence[type], filename: str) -> NotebookResult:
    try:
        nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
        data = json.loads(raw)
    except Exception as exc:  # nbformat raises several unrelated types
        raise MigrationError(
            f"{filename}: not a readable notebook ({exc}); left unchanged"
        ) from None
    layout, end = _layout(raw, data)
    result = NotebookResult(text=raw)
    if not _is_python(data):
        result.skipped_cells.append("notebook kernel is not Python")
        return result

    cells: dict[int, tuple[str, dict[int, str]]] = {}
    for index, cell in enumerate(data.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        code = "".join(source) if isinstance(source, list) else source
        if code.lstrip().startswith("%%"):
            result.skipped_cells.append(f"cell {index}: cell magic, left unchanged")
            continue
        masked, magics = _mask(code)
        try:
            parse(masked, f"{filename} cell {index}")
        except MigrationError as exc:
            result.skipped_cells.append(f"cell {index}: {exc}")
            continue
        cells[index] = (masked, magics)
    if not cells:
        return result

    combined = "".join(
        f"{_MARK.format(i)}\n{masked}{'' if masked.endswith(chr(10)) or not masked else chr(10)}"
        for i, (masked, _) in cells.items()
    )
    new_combined, events = run_codemods(combined, codemods, filename)
    if new_combined == combined:
        result.events = _cell_events(events, combined)
        return result
    pieces = _MARK_RE.split(new_combined)
    if pieces[0].strip():  # something (e.g. an added import) landed above the first marker
        pieces[2] = pieces[0] + pieces[2]
    new_cells = {int(pieces[i]): pieces[i + 1] for i in range(1, len(pieces), 2)}
    if set(new_cells) != set(cells):
        raise MigrationError(f"{filename}: cell markers were lost while rewriting; left unchanged")
    for index, (masked, magics) in cells.items():
        new_masked = new_cells[index]
        if not masked.endswith("\n") and new_masked.endswith("\n"):
            new_masked = new_masked[:-1]
        if new_masked == masked:
            continue
        check_compiles(new_masked, f"{filename} cell {index}", ALLOW_TOP_LEVEL_AWAIT)
        code = _unmask(new_masked, magics)
        cell = data["cells"][index]
        cell["source"] = (
            code.splitlines(keepends=True) if isinstance(cell["source"], list) else code
        )
    result.text = json.dumps(data, **layout) + end
    result.events = _cell_events(events, combined)
    return result


def _cell_events(events: list[dict[str, Any]], combined: str) -> list[dict[str, Any]]:
    """Turn lines of the combined module into ``cell N, line L``."""
    starts = [
        (combined.count("\n", 0, m.start()) + 2, int(m.group(1)))
        for m in _MARK_RE.finditer(combined)
    ]
    out = []
    for event in events:
        line, cell, first = event.get("line", 0), None, 1
        for start, index in starts:
            if line >= start:
                cell, first = index, start
        out.append({**event, "cell": cell, "line": line - first + 1 if cell is not None else line})
    return out
