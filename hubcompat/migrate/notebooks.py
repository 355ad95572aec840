"""Jupyter notebooks: migrate the code cells, keep every other byte of the file.

- The notebook must be one nbformat reads (any nbformat 3.x / 4.x). It is
  never re-dumped: the original text is parsed with positions
  (``jsontext``) and only the JSON string literals of the ``source`` (v3:
  ``input``) of cells whose code changed are replaced. Indent, key order,
  line endings, final newline and escaping (Colab's ``\\u003c``) stay; a
  changed source keeps its form (one string or a list of lines), its
  unchanged lines keep their exact literals, and new literals follow the
  file's escaping style.
- All code cells are migrated as *one* module, so ``import tensorflow_hub as
  hub`` in the first cell is known in the tenth; a marker comment between
  cells splits them back.
- IPython syntax (``%magic``, ``!shell``, ``x = !cmd``, ``obj?``) is masked
  as ``pass`` placeholders while libcst looks, and restored; ``!pip install``
  / ``%pip install`` lines naming tensorflow-hub are rewritten by
  ``dependencies``. A ``%%writefile x.py`` cell's body is migrated as the
  Python file it becomes (the magic line kept). Other cells with a
  ``%%cell_magic`` or that do not parse are left as they are and reported.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import nbformat

from hubcompat.codemods._base import HubCodemod
from hubcompat.errors import MigrationError
from hubcompat.migrate import dependencies, jsontext
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
#: ``%%writefile [-a] name.py``: the cell's body is a Python file
_WRITEFILE = re.compile(r"\s*%%(?:writefile|file)[ \t]+(?:-a[ \t]+|--append[ \t]+)?\S+\.py[ \t]*\r?\n")
_LINES = re.compile(r"[^\n]*\n|[^\n]+")  # Jupyter splits sources at "\n" only


@dataclass
class NotebookResult:
    text: str
    events: list[dict[str, Any]] = field(default_factory=list)
    skipped_cells: list[str] = field(default_factory=list)


@dataclass
class _Cell:
    index: int
    node: jsontext.Node  # the source value
    code: str
    masked: str = ""
    magics: dict[int, str] = field(default_factory=dict)


def _mask(code: str) -> tuple[str, dict[int, str]]:
    masked, magics = [], {}
    for number, line in enumerate(code.splitlines(keepends=True)):
        match = _MAGIC.match(line)
        if match:
            magics[number] = line
            ending = line[len(line.rstrip("\r\n")) :]
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


def _code_cells(root: jsontext.Node) -> list[tuple[int, jsontext.Node, str]]:
    """(index, cell node, source key) of every cell: v4 ``cells``, v3 ``worksheets[].cells``."""
    if "cells" in root.members:
        cells, key = root.members["cells"].items, "source"
    else:
        worksheets = root.members.get("worksheets")
        cells = [c for ws in (worksheets.items if worksheets else []) for c in _cells_of(ws)]
        key = "input"
    return [(i, cell, key) for i, cell in enumerate(cells)]


def _cells_of(worksheet: jsontext.Node) -> list[jsontext.Node]:
    cells = worksheet.members.get("cells")
    return cells.items if cells is not None else []


def transform_notebook(
    raw: str, codemods: Sequence[type[HubCodemod]], filename: str
) -> NotebookResult:
    try:
        nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
        data = json.loads(raw)
    except Exception as exc:  # nbformat raises several unrelated types
        raise MigrationError(
            f"{filename}: not a readable notebook ({exc}); left unchanged"
        ) from None
    result = NotebookResult(text=raw)
    if not _is_python(data):
        result.skipped_cells.append("notebook kernel is not Python")
        return result
    try:
        root = jsontext.parse(raw)
    except MigrationError as exc:
        raise type(exc)(f"{filename}: {exc}; left unchanged") from None

    cells: list[_Cell] = []
    edits: list[tuple[int, int, str]] = []
    for index, node, key in _code_cells(root):
        type_node = node.members.get("cell_type")
        source = node.members.get(key)
        if type_node is None or type_node.value != "code" or source is None:
            continue
        if source.kind == "string":
            code = source.value
        elif source.kind == "array" and all(i.kind == "string" for i in source.items):
            code = "".join(i.value for i in source.items)
        else:
            result.skipped_cells.append(f"cell {index}: source is not text, left unchanged")
            continue
        if _WRITEFILE.match(code):
            edits += _writefile_cell(raw, index, source, code, codemods, filename, result)
            continue
        if code.lstrip().startswith("%%"):
            result.skipped_cells.append(f"cell {index}: cell magic, left unchanged")
            continue
        masked, magics = _mask(code)
        try:
            parse(masked, f"cell {index}")
        except MigrationError as exc:
            result.skipped_cells.append(str(exc))
            continue
        cells.append(_Cell(index, source, code, masked, magics))
    if not cells:
        result.text = jsontext.splice(raw, edits)
        return result

    combined = "".join(
        f"{_MARK.format(c.index)}\n{c.masked}"
        f"{'' if c.masked.endswith(chr(10)) or not c.masked else chr(10)}"
        for c in cells
    )
    new_combined, events = run_codemods(combined, codemods, filename)
    events = _cell_events(events, combined)
    new_masked = {c.index: c.masked for c in cells}
    if new_combined != combined:
        pieces = _MARK_RE.split(new_combined)
        if pieces[0].strip():  # something (e.g. an added import) landed above the first marker
            pieces[2] = pieces[0] + pieces[2]
        new_masked = {int(pieces[i]): pieces[i + 1] for i in range(1, len(pieces), 2)}
        if set(new_masked) != {c.index for c in cells}:
            raise MigrationError(
                f"{filename}: cell markers were lost while rewriting; left unchanged"
            )

    style = jsontext.EscapeStyle.of(raw)
    for cell in cells:
        masked = new_masked[cell.index]
        if not cell.masked.endswith("\n") and masked.endswith("\n"):
            masked = masked[:-1]
        if masked != cell.masked:
            check_compiles(masked, f"{filename}: cell {cell.index}", ALLOW_TOP_LEVEL_AWAIT)
        magics = dict(cell.magics)
        for number, line in cell.magics.items():
            new_line, messages = dependencies.rewrite_pip_line(line)
            magics[number] = new_line
            kind = "change" if new_line != line else "todo"
            for message in messages:
                events.append(
                    {"codemod": "dependencies", "kind": kind, "cell": cell.index,
                     "line": number + 1, "message": message}
                )  # fmt: skip
        code = _unmask(masked, magics)
        if code != cell.code:
            edits += _source_edits(raw, cell.node, code, style)
    result.text = jsontext.splice(raw, edits)
    result.events = events + result.events
    return result


def _writefile_cell(
    raw: str,
    index: int,
    node: jsontext.Node,
    code: str,
    codemods: Sequence[type[HubCodemod]],
    filename: str,
    result: NotebookResult,
) -> list[tuple[int, int, str]]:
    """A ``%%writefile x.py`` cell: its body is migrated as the Python file it becomes."""
    magic, _, body = code.partition("\n")
    where = f"{filename}: cell {index}"
    try:
        new_body, events = run_codemods(body, codemods, where)
        if new_body != body:
            check_compiles(new_body, where)
    except MigrationError as exc:
        reason = str(exc).replace(f"{where}: ", "")
        result.skipped_cells.append(f"cell {index}: %%writefile body: {reason}")
        return []
    result.events += [
        {**e, "cell": index, "line": e["line"] + 1 if e.get("line") else e.get("line")}
        for e in events
    ]
    if new_body == body:
        return []
    return _source_edits(raw, node, f"{magic}\n{new_body}", jsontext.EscapeStyle.of(raw))


def _source_edits(
    raw: str, node: jsontext.Node, code: str, style: jsontext.EscapeStyle
) -> list[tuple[int, int, str]]:
    """Edits turning the ``source`` value at ``node`` into ``code``, touching only changed lines."""
    if node.kind == "string":
        return [(node.start, node.end, style.dumps(code))]
    items = node.items
    old = [item.value for item in items]
    new = _LINES.findall(code)
    if len(old) == len(new):
        return [
            (item.start, item.end, style.dumps(line))
            for item, line in zip(items, new, strict=True)
            if item.value != line
        ]
    literals: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            literals += [raw[item.start : item.end] for item in items[i1:i2]]
        else:
            literals += [style.dumps(line) for line in new[j1:j2]]
    if not items:
        return [(node.start, node.end, "[" + ", ".join(literals) + "]")]
    if len(items) > 1:
        separator = raw[items[0].end : items[1].start]
    else:
        opening = raw[node.start + 1 : items[0].start]
        separator = "," + opening if "\n" in opening else ", "
    return [(items[0].start, items[-1].end, separator.join(literals))]


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
