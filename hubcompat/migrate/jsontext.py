"""JSON text with positions: edit string values in place, keep every other byte.

Notebook writers differ in indent, key order, line endings and escaping
(Jupyter: indent 1, raw UTF-8; Google/Colab: indent 2, ``<`` ``>`` ``&``
written as ``\\u003c`` ``\\u003e`` ``\\u0026``, which no ``json.dumps`` setting
reproduces). So nothing is re-dumped: :func:`parse` gives each value of the
original text with its span, :class:`EscapeStyle` learns how the file escapes
strings, and callers splice new string literals into the original text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from hubcompat.errors import NotebookLayoutError

_WS = re.compile(r"[ \t\n\r]*")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
_scalar = json.JSONDecoder()


@dataclass
class Node:
    """One JSON value: ``text[start:end]`` is its literal; ``items`` for arrays,
    ``members`` (key -> value node, in file order) for objects."""

    start: int
    end: int
    value: Any = None
    items: list[Node] = field(default_factory=list)
    members: dict[str, Node] = field(default_factory=dict)
    kind: str = "scalar"  # "object", "array", "string", "scalar"


def parse(text: str) -> Node:
    """The value tree of ``text`` (one JSON document), with positions."""
    try:
        node, end = _value(text, _WS.match(text, 0).end())  # type: ignore[union-attr]
    except (ValueError, IndexError) as exc:
        raise NotebookLayoutError(f"not JSON that can be edited in place ({exc})") from None
    if _WS.match(text, end).end() != len(text):  # type: ignore[union-attr]
        raise NotebookLayoutError("not JSON that can be edited in place (text after the end)")
    return node


def _value(text: str, pos: int) -> tuple[Node, int]:
    char = text[pos]
    if char == '"':
        value, end = _scanstring(text, pos + 1, True)
        return Node(pos, end, value, kind="string"), end
    if char == "{":
        node = Node(pos, pos, {}, kind="object")
        pos = _skip(text, pos + 1)
        if text[pos] == "}":
            node.end = pos + 1
            return node, pos + 1
        while True:
            if text[pos] != '"':
                raise ValueError(f"expected a key at offset {pos}")
            key, pos = _scanstring(text, pos + 1, True)
            pos = _skip(text, pos)
            if text[pos] != ":":
                raise ValueError(f"expected ':' at offset {pos}")
            child, pos = _value(text, _skip(text, pos + 1))
            if key in node.members:
                raise ValueError(f"duplicate key {key!r}")
            node.members[key] = child
            done, pos = _after_item(text, pos, node, "}")
            if done:
                return node, pos
    if char == "[":
        node = Node(pos, pos, None, kind="array")
        pos = _skip(text, pos + 1)
        if text[pos] == "]":
            node.end = pos + 1
            return node, pos + 1
        while True:
            child, pos = _value(text, pos)
            node.items.append(child)
            done, pos = _after_item(text, pos, node, "]")
            if done:
                return node, pos
    value, end = _scalar.raw_decode(text, pos)
    return Node(pos, end, value), end


def _after_item(text: str, pos: int, node: Node, close: str) -> tuple[bool, int]:
    """After an object member or array item: (True, end of ``node``) at ``close``,
    else (False, where the next item starts)."""
    pos = _skip(text, pos)
    if text[pos] == close:
        node.end = pos + 1
        return True, pos + 1
    if text[pos] != ",":
        raise ValueError(f"expected ',' or '{close}' at offset {pos}")
    return False, _skip(text, pos + 1)


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)


@dataclass(frozen=True)
class EscapeStyle:
    """How a file writes string literals, learnt from its own text.

    A character is written as ``\\uXXXX`` when the file does so and never has it
    raw (``<`` in Colab files), non-ASCII ones too when the file has no raw
    non-ASCII but escaped ones; ``\\/`` when the file escapes slashes. The hex
    digits' case follows the file.
    """

    escaped: frozenset[str] = frozenset()
    ascii_only: bool = False
    upper_hex: bool = False
    slash: bool = False

    @classmethod
    def of(cls, text: str) -> EscapeStyle:
        escaped, hexes, slash = set(), [], False
        for match in _ESCAPE.finditer(text):
            if match.group(1):
                hexes.append(match.group(1))
                escaped.add(chr(int(match.group(1), 16)))
            elif match.group(2) == "/":
                slash = True
        non_ascii_escaped = any(ord(c) > 127 for c in escaped)
        has_raw_non_ascii = any(ord(c) > 127 for c in text)
        letters = "".join(h for h in hexes if not h.isdigit())
        return cls(
            escaped=frozenset(c for c in escaped if c not in text and c not in _SHORT),
            ascii_only=non_ascii_escaped and not has_raw_non_ascii,
            upper_hex=bool(letters) and letters.upper() == letters,
            slash=slash,
        )

    def dumps(self, value: str) -> str:
        """``value`` as a JSON string literal in this style."""
        out = ['"']
        for char in value:
            code = ord(char)
            if char in _SHORT:
                out.append(_SHORT[char])
            elif char == "/" and self.slash:
                out.append("\\/")
            elif code < 0x20 or char in self.escaped or (code > 127 and self.ascii_only):
                if code > 0xFFFF:
                    code -= 0x10000
                    out.append(
                        self._hex(0xD800 | (code >> 10)) + self._hex(0xDC00 | (code & 0x3FF))
                    )
                else:
                    out.append(self._hex(code))
            else:
                out.append(char)
        out.append('"')
        return "".join(out)

    def _hex(self, code: int) -> str:
        return f"\\u{code:04X}" if self.upper_hex else f"\\u{code:04x}"


def splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` range replaced (ranges must not overlap)."""
    out, last = [], 0
    for start, end, new in sorted(edits):
        if start < last:
            raise NotebookLayoutError("overlapping edits")
        out += [text[last:start], new]
        last = end
    out.append(text[last:])
    return "".join(out)
