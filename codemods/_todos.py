"""``# TODO(hubcompat): ...`` comments, and the line a report event names without positions."""

from __future__ import annotations

from typing import Any

import libcst as cst

TODO_PREFIX = "# TODO(hubcompat): "  # also in _tf1 (no libcst there); pinned by a test


def add_todo_comments(statement: Any, messages: list[str], header: Any = ()) -> Any:
    """Add ``# TODO(hubcompat): msg`` lines above ``statement``, skipping ones already there."""
    existing = {line.comment.value for line in [*header, *statement.leading_lines] if line.comment}
    new_lines = [
        cst.EmptyLine(comment=cst.Comment(TODO_PREFIX + msg))
        for msg in messages
        if TODO_PREFIX + msg not in existing
    ]
    if not new_lines:
        return statement
    return statement.with_changes(leading_lines=[*statement.leading_lines, *new_lines])


class TextLines:
    """Lines of nodes found by their code: the file's text searched forward from the last
    hit (events come in source order), or the module's own statements."""

    def __init__(self, module: cst.Module, original: str | None) -> None:
        self.module = module
        self.original = original
        self.cursor = 0
        self._tops: dict[int, tuple[int, str, int]] | None = None

    def line(self, node: cst.CSTNode, open_statements: list[cst.CSTNode]) -> int:
        if self.original is not None:
            return self._line_in_original(self.original, node)
        tops = self._top_statements()
        for statement in reversed(open_statements):
            if id(statement) in tops:
                first, text, leading = tops[id(statement)]
                needle = self.module.code_for_node(node).strip().splitlines()
                lines = text.splitlines()
                for index in range(leading, len(lines)):
                    if needle and needle[0] in lines[index]:
                        return first + index
                return first + leading
        return 0

    def _top_statements(self) -> dict[int, tuple[int, str, int]]:
        """id(top-level statement) -> (line of its first leading line, its code, #leading lines).

        Module code is the header lines followed by each statement's code, so this
        gives positions without the costly PositionProvider.
        """
        if self._tops is None:
            self._tops = {}
            line = 1 + len(self.module.header)
            for statement in self.module.body:
                text = self.module.code_for_node(statement)
                self._tops[id(statement)] = (line, text, len(statement.leading_lines))
                line += text.count("\n")
        return self._tops

    def _line_in_original(self, original: str, node: cst.CSTNode) -> int:
        needle = next(
            (line.strip() for line in self.module.code_for_node(node).splitlines() if line.strip()),
            "",
        )
        if not needle:
            return 0
        at = original.find(needle, self.cursor)
        if at == -1:
            at = original.find(needle)
        if at == -1:
            return 0
        self.cursor = at
        return original.count("\n", 0, at) + 1
