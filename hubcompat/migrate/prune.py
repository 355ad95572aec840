"""Which top-level statements the codemods need to see: the speed of a whole-tree run.

libcst's scope and qualified-name analysis costs several times a parse, and
every visit of a whole module about one parse. But what the codemods rewrite
(and every name their analysis follows) sits in the top-level statements that
mention tensorflow_hub, one of its import aliases or imported names, or a
module-level name bound to an expression mentioning one (to a fixpoint; names
local to a function stay inside its statement); the imports of those names
are among them. So each codemod
runs on a module holding only those statements (the same node objects), and
its result is spliced back into the full tree; the rest of the file is never
visited or analysed. Statement spans come from ``ast`` (C speed), matched to
libcst's ``Module.body`` one to one; when they do not match (or ``ast``
cannot parse the text) there is no pruning and codemods see the whole module.

Whether the file is TF1 graph code (``is_graph_code``) needs the whole file:
it is decided here from ``ast`` (import aliases + attribute chains), with the
same prefixes the codemods use.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

import libcst as cst

from hubcompat.codemods._graph import GRAPH_PREFIXES, graph_code
from hubcompat.codemods._names import HUB_MODULES, FileNames, hub_references
from hubcompat.codemods._syntax import calls_in

_BOUND = re.compile(r"(?m)^([\w, \t*()\[\]]+?)[ \t]*(?::[^=\n]*)?=(?!=)(.*)$")
_WORD = re.compile(r"\w+")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_NEWLINE_KEPT = re.compile(r"(\r\n|\r|\n)")
_EMPTY = re.compile(r"[ \t\f]*(?:#.*)?(?:\r\n|\r|\n)?")  # libcst's EmptyLine
#: A graph-code name must contain one of the last words of GRAPH_PREFIXES.
_GRAPH_WORDS = re.compile(
    "|".join(sorted({re.escape(p.rstrip(".").rsplit(".", 1)[-1]) for p in GRAPH_PREFIXES}))
)
ALLOW_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


@dataclass
class Pruner:
    """The relevant top-level statements of one file, and their first lines."""

    relevant: list[int]  # indices into Module.body
    first_lines: list[int]  # first line of each body statement (its leading lines included)
    leading: list[int]  # number of leading lines each statement had
    _text: str
    _module: ast.Module
    _graph_code: bool | None = None
    _counts: dict[int, list[int]] = field(default_factory=dict)
    #: id(original top-level statement) -> its ast statements (``a; b`` is one statement)
    _statements: dict[int, list[ast.stmt]] = field(default_factory=dict)
    _call_lines: dict[int, dict[int, int]] = field(default_factory=dict)
    #: id(original top-level statement) -> its text in the file (leading lines included)
    _pieces: dict[int, str] = field(default_factory=dict)
    _header: str = ""
    _footer: str = ""
    _code: dict[int, tuple[cst.CSTNode, str]] = field(default_factory=dict)

    @property
    def graph_code(self) -> bool:
        """Computed on first use (only ``--target modern`` codemods ask)."""
        if self._graph_code is None:
            self._graph_code = _GRAPH_WORDS.search(self._text) is not None and graph_code(
                self._module
            )
        return self._graph_code

    def names(self) -> FileNames:
        """The bindings of the file as parsed (``_names.FileNames``), from the same ``ast``."""
        return FileNames.from_ast(self._module)

    @classmethod
    def build(cls, text: str, tree: cst.Module) -> Pruner | None:
        try:
            module = compile(text, "<prune>", "exec", ast.PyCF_ONLY_AST | ALLOW_TOP_LEVEL_AWAIT,
                             dont_inherit=True)  # fmt: skip
        except (SyntaxError, ValueError):
            return None
        spans = _group(module.body)
        if len(spans) != len(tree.body):
            return None
        lines = _NEWLINE.split(text)
        texts = ["\n".join(lines[a - 1 : b]) for a, b in spans]
        aliases, names = hub_references(text)
        wanted = set(aliases) | {n for n in names if n != "*"} | set(HUB_MODULES)
        relevant: set[int] = set()
        while True:
            # not after a dot: `tf.Module` is not tensorflow_hub's Module
            words = "|".join(map(re.escape, sorted(wanted)))
            pattern = re.compile(r"(?<![\w.])(?:" + words + r")\b|(?i:tensorflow[-_.]hub)")
            found = {i for i, t in enumerate(texts) if i not in relevant and pattern.search(t)}
            if not found:
                break
            relevant |= found
            new = set()
            for i in found:
                # module-level names bound to something hub-related are followed
                # into other statements (function-local ones stay inside theirs)
                for match in _BOUND.finditer(texts[i]):
                    if pattern.search(match.group(2)):
                        new.update(_WORD.findall(match.group(1)))
            if not new - wanted:
                break
            wanted |= new
        leading = [len(s.leading_lines) for s in tree.body]
        first = [a - n for (a, _), n in zip(spans, leading, strict=True)]
        groups: list[list[ast.stmt]] = []
        for node in module.body:
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            if groups and start == (groups[-1][-1].end_lineno or groups[-1][-1].lineno):
                groups[-1].append(node)
            else:
                groups.append([node])
        statements = {id(s): g for s, g in zip(tree.body, groups, strict=True)}
        pruner = cls(sorted(relevant), first, leading, text, module, _statements=statements)
        pruner._cut(text, tree)
        return pruner

    def _cut(self, text: str, tree: cst.Module) -> None:
        """The file's text of each top-level statement: libcst's module code is the
        header lines, each statement's code (its leading lines first, up to the next
        statement's), the footer lines. Files without a final newline are left to
        libcst (it drops a final lone ``\\r``)."""
        if not tree.has_trailing_newline:
            return
        parts = _NEWLINE_KEPT.split(text)
        lines = ["".join(parts[i : i + 2]) for i in range(0, len(parts), 2)]
        if lines and not lines[-1]:
            lines.pop()
        end = len(lines) - len(tree.footer)
        bounds = [*self.first_lines, end + 1]
        if not tree.body or any(b > a for a, b in zip(bounds[1:], bounds)):
            return
        self._header = "".join(lines[: bounds[0] - 1])
        self._footer = "".join(lines[end:])
        for statement, first in zip(tree.body, bounds):
            # its leading lines are blank or comments, then comes its own first line
            start = first - 1 + len(statement.leading_lines)
            if (
                start >= len(lines)
                or _EMPTY.fullmatch(lines[start])
                or not all(_EMPTY.fullmatch(line) for line in lines[first - 1 : start])
            ):
                return
        self._pieces = {
            id(statement): "".join(lines[a - 1 : b - 1])
            for statement, a, b in zip(tree.body, bounds, bounds[1:])
        }

    def texts_of(self, tree: cst.Module) -> list[str | None]:
        """The file's text of each statement of ``tree`` (None: not an original statement)."""
        return [self._pieces.get(id(s)) for s in tree.body]

    def code(self, tree: cst.Module, original: cst.Module) -> str:
        """``tree.code``, generating code only for statements that are not the file's own
        (once each): the others keep their text."""
        if (
            not self._pieces
            or not tree.body
            or tuple(tree.header) != tuple(original.header)
            or tuple(tree.footer) != tuple(original.footer)
        ):
            return tree.code
        pieces = self._pieces
        out = [self._header]
        for statement in tree.body:
            piece = pieces.get(id(statement))
            out.append(piece if piece is not None else self._generated(tree, statement))
        out.append(self._footer)
        return "".join(out)

    def new_code(self, tree: cst.Module) -> str:
        """The code of ``tree``'s statements that are not the file's own."""
        return "".join(self._generated(tree, s) for s in tree.body if id(s) not in self._pieces)

    def _generated(self, tree: cst.Module, statement: cst.CSTNode) -> str:
        known = self._code.get(id(statement))
        if known is None or known[0] is not statement:
            known = self._code[id(statement)] = (statement, tree.code_for_node(statement))
        return known[1]

    def call_line(self, statement: cst.CSTNode, call: cst.Call) -> int | None:
        """The file line of ``call`` inside the original top-level ``statement``, from the
        ``ast`` (no libcst positions); None when the statement is new or does not match."""
        lines = self._call_lines.get(id(statement))
        if lines is None:
            group = self._statements.get(id(statement))
            lines = self._call_lines[id(statement)] = (
                _call_lines(statement, group) if group is not None else {}
            )
        return lines.get(id(call))

    def small(self, tree: cst.Module) -> cst.Module:
        return tree.with_changes(body=[tree.body[i] for i in self.relevant])

    def splice(self, tree: cst.Module, small: cst.Module, result: cst.Module) -> cst.Module | None:
        """``tree`` with ``small``'s statements replaced by ``result``'s.

        Statements a codemod added or removed (libcst's import helpers) are
        aligned by their code and inserted / deleted in ``tree`` too, and this
        pruner's indices follow; None when the alignment is unclear.
        """
        if len(result.header) != len(small.header) or not all(
            new.deep_equals(old) for new, old in zip(result.header, small.header, strict=True)
        ):
            return None
        body = list(tree.body)
        if len(result.body) == len(self.relevant):
            for index, statement in zip(self.relevant, result.body, strict=True):
                body[index] = statement
            return tree.with_changes(body=body, footer=result.footer)
        old = [small.code_for_node(s) for s in small.body]
        new = [result.code_for_node(s) for s in result.body]
        opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        relevant, first, leading = list(self.relevant), list(self.first_lines), list(self.leading)
        shift = 0
        for tag, i1, i2, j1, j2 in opcodes:
            if tag in ("equal", "replace") and i2 - i1 == j2 - j1:
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    body[self.relevant[i] + shift] = result.body[j]
                continue
            if tag == "insert":
                at = (self.relevant[i1] if i1 < len(self.relevant) else len(tree.body)) + shift
                at_relevant = (
                    relevant.index(self.relevant[i1] + shift)
                    if i1 < len(self.relevant)
                    else len(relevant)
                )
                for k, j in enumerate(range(j1, j2)):
                    body.insert(at + k, result.body[j])
                    first.insert(at + k, first[at + k] if at + k < len(first) else 0)
                    leading.insert(at + k, len(result.body[j].leading_lines))
                relevant = (
                    relevant[:at_relevant]
                    + list(range(at, at + j2 - j1))
                    + [r + (j2 - j1) for r in relevant[at_relevant:]]
                )
                shift += j2 - j1
                continue
            if tag == "delete":
                for i in range(i2 - 1, i1 - 1, -1):
                    at = self.relevant[i] + shift
                    del body[at], first[at], leading[at]
                    position = relevant.index(at)
                    relevant = relevant[:position] + [r - 1 for r in relevant[position + 1 :]]
                shift -= i2 - i1
                continue
            return None
        self.relevant, self.first_lines, self.leading = relevant, first, leading
        return tree.with_changes(body=body, footer=result.footer)

    def original_line(self, small: cst.Module, line: int) -> int:
        """A line of ``small``'s code -> the line in the original file."""
        if not line:
            return line
        counts = self._counts.get(id(small))
        if counts is None:
            counts = [small.code_for_node(s).count("\n") for s in small.body]
            self._counts = {id(small): counts}  # one small module at a time
        current = 1 + len(small.header)
        for index, statement, count in zip(self.relevant, small.body, counts, strict=True):
            if line < current + count:
                added = len(statement.leading_lines) - self.leading[index]
                return self.first_lines[index] + max(0, line - current - added)
            current += count
        return line


def _group(body: list[ast.stmt]) -> list[tuple[int, int]]:
    """(first, last) line of each libcst statement: ``a; b`` on one line is one."""
    spans: list[tuple[int, int]] = []
    for node in body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        end = node.end_lineno or node.lineno
        if spans and first == spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((first, end))
    return spans


def _call_lines(statement: cst.CSTNode, group: list[ast.stmt]) -> dict[int, int]:
    """id(libcst Call) -> line, pairing the statement's calls in source order with the
    ``ast`` calls sorted by position (outer before inner); {} unless every pair has the
    same callee name and no parentheses around the call or its callee."""
    calls = calls_in(statement)
    found = [n for s in group for n in ast.walk(s) if isinstance(n, ast.Call)]
    found.sort(
        key=lambda n: (n.lineno, n.col_offset, -(n.end_lineno or 0), -(n.end_col_offset or 0))
    )
    if len(calls) != len(found):
        return {}
    lines = {}
    for call, node in zip(calls, found, strict=True):
        if (
            call.lpar
            or getattr(call.func, "lpar", None)
            or _cst_name(call.func) != _ast_name(node.func)
        ):
            return {}
        lines[id(call)] = node.lineno
    return lines


# _cst_name and _ast_name read the same dotted name from the two trees the runner has
# (libcst's and ast's): the same shape on purpose, as the node types differ.
def _cst_name(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        value = _cst_name(node.value)
        return None if value is None else f"{value}.{node.attr.value}"
    if isinstance(node, cst.Call):
        return _cst_name(node.func)
    return None


def _ast_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        value = _ast_name(node.value)
        return None if value is None else f"{value}.{node.attr}"
    if isinstance(node, ast.Call):
        return _ast_name(node.func)
    return None
