"""Which names are tensorflow_hub's (or already migrated hubcompat's).

Speed: libcst's ``QualifiedNameProvider`` costs several parses per module,
but in most files the imports alone tell which names are tensorflow_hub's.
``FileNames`` reads every binding of the whole file once, from ``ast`` (C
speed): a name bound by exactly one module-level import of tensorflow_hub
(``import tensorflow_hub as hub``, ``from tensorflow_hub import Module``) and
bound nowhere else is that import's name wherever it occurs, so
``hub.Module`` is ``tensorflow_hub.Module`` without any scope analysis.
Only a name that is ambiguous (a hub name rebound or imported inside a
function, a star import) asks libcst's ``QualifiedNameProvider``, resolved
then, once per module. The same table tells ``_bindings`` which plain names
are bound once (assignments it can follow without scope analysis).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import QualifiedNameProvider

from hubcompat.codemods._keys import NAMES_KEY, TEXT_KEY
from hubcompat.codemods._meta import metadata

if TYPE_CHECKING:
    from hubcompat.codemods._base import HubCodemod


HUB_MODULES = ("tensorflow_hub", "hubcompat")
#: Methods of hub.Module / hub.ModuleSpec that query signatures.
METHODS = frozenset({"get_signature_names", "get_input_info_dict", "get_output_info_dict"})
#: tensorflow_hub functions that read a module's expected image input.
IMAGE_HELPERS = frozenset({"get_expected_image_size", "get_num_image_channels"})

_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.MULTILINE)
_FROM = re.compile(
    r"^[ \t]*from[ \t]+(?:tensorflow_hub|hubcompat)[\w.]*[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)",
    re.MULTILINE,
)


def hub_references(text: str) -> tuple[set[str], set[str]]:
    """Names bound to tensorflow_hub/hubcompat by imports, and names imported from them
    (a text test, before any parsing)."""
    aliases = set()
    for match in _IMPORT.finditer(text):
        for item in match.group(1).split(","):
            parts = item.split()
            if parts and parts[0] in HUB_MODULES:
                aliases.add(parts[2] if len(parts) == 3 and parts[1] == "as" else parts[0])
    names = set()
    for match in _FROM.finditer(text):
        for item in match.group(1).strip("()").replace("\\", " ").split(","):
            parts = item.split()
            if parts:
                names.add(parts[0])
    return aliases, names


def _is_hub(module: str) -> bool:
    return module.partition(".")[0] in HUB_MODULES


@dataclass(frozen=True)
class FileNames:
    """Every binding of one file, from its ``ast``."""

    #: name -> qualified name, for names only a module-level hub import binds
    hub: Mapping[str, str] = field(default_factory=dict)
    #: every name some hub import binds (any scope): not in ``hub`` means ambiguous
    hub_bound: frozenset[str] = frozenset()
    #: names bound exactly once, never ``global``/``nonlocal``/``del``, not in a class body
    once: frozenset[str] = frozenset()
    #: how often each name is read (``ast.Load``)
    loads: Mapping[str, int] = field(default_factory=dict)
    #: False when the file has a star import of tensorflow_hub: every name question goes to libcst
    exact: bool = True

    @classmethod
    def from_text(cls, text: str) -> FileNames:
        try:
            return cls.from_ast(ast.parse(text))
        except (SyntaxError, ValueError):
            return cls(exact=False)

    @classmethod
    def from_ast(cls, module: ast.Module) -> FileNames:
        collector = _Bindings()
        collector.visit(module)
        counts, unsafe = collector.counts, collector.unsafe
        hub = {
            name: qualified
            for name, qualified in collector.top_hub.items()
            if counts[name] == 1 and name not in unsafe
        }
        once = frozenset(n for n, c in counts.items() if c == 1 and n not in unsafe)
        return cls(hub, frozenset(collector.hub_bound), once, dict(collector.loads),
                   not collector.star)  # fmt: skip


class _Bindings(ast.NodeVisitor):
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.loads: Counter[str] = Counter()
        self.unsafe: set[str] = set()
        self.top_hub: dict[str, str] = {}
        self.hub_bound: set[str] = set()
        self.star = False
        self._depth = 0  # > 0 inside a function or class
        self._in_class = False

    def _bind(self, name: str) -> None:
        self.counts[name] += 1
        if self._in_class:
            self.unsafe.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.loads[node.id] += 1
        elif isinstance(node.ctx, ast.Del):
            self.unsafe.add(node.id)
        else:
            self._bind(node.id)

    def visit_arg(self, node: ast.arg) -> None:
        self._bind(node.arg)
        self.generic_visit(node)

    def _scope(self, node: ast.AST, in_class: bool) -> None:
        outer = self._in_class
        self._depth += 1
        self._in_class = in_class
        self.generic_visit(node)
        self._depth -= 1
        self._in_class = outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._bind(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        outer = self._in_class
        self._in_class = False
        self._depth += 1
        self.visit(node.args)
        for statement in node.body:
            self.visit(statement)
        if node.returns is not None:
            self.visit(node.returns)
        self._depth -= 1
        self._in_class = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scope(node, in_class=False)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(node.name)
        for expression in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(expression)
        outer = self._in_class
        self._depth += 1
        self._in_class = True
        for statement in node.body:
            self.visit(statement)
        self._depth -= 1
        self._in_class = outer

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        self.unsafe.update(node.names)

    visit_Nonlocal = visit_Global

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.asname or alias.name.partition(".")[0]
            self._bind(name)
            if _is_hub(alias.name):
                self.hub_bound.add(name)
                # `import tensorflow_hub.x` binds `tensorflow_hub` oddly for libcst: ambiguous
                if not self._depth and (alias.asname or "." not in alias.name):
                    self.top_hub[name] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "" if node.level else (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                # libcst's scope analysis binds no names for a star import, so one from
                # another module changes no answer; tensorflow_hub's own changes what
                # libcst's import helpers do
                self.star = self.star or _is_hub(module)
                continue
            name = alias.asname or alias.name
            self._bind(name)
            if _is_hub(module):
                self.hub_bound.add(name)
                if not self._depth:
                    self.top_hub[name] = f"{module}.{alias.name}"

    def _visit_pattern_name(self, node: ast.AST) -> None:
        name = getattr(node, "name", None) or getattr(node, "rest", None)
        if name:
            self._bind(name)
        self.generic_visit(node)

    visit_MatchAs = visit_MatchStar = visit_MatchMapping = _visit_pattern_name


def file_names(codemod: HubCodemod) -> FileNames:
    """The file's ``FileNames``: from the runner (``NAMES_KEY``), else made once per context."""
    scratch = codemod.context.scratch
    names = scratch.get(NAMES_KEY)
    if callable(names):
        names = names()
    if not isinstance(names, FileNames):
        text = scratch.get(TEXT_KEY)
        names = FileNames.from_text(text if text is not None else codemod.module.code)
    scratch[NAMES_KEY] = names
    return names


def lazy(make: Callable[[], FileNames]) -> Callable[[], FileNames]:
    """A ``NAMES_KEY`` value that makes the table when a codemod first asks."""
    made: list[FileNames] = []

    def get() -> FileNames:
        if not made:
            made.append(make())
        return made[0]

    return get


def hub_name(codemod: HubCodemod, node: cst.CSTNode) -> str | None:
    """``"tensorflow_hub.Module"`` for ``hub.Module`` / ``Module`` imported from it, else None."""
    if not isinstance(node, (cst.Name, cst.Attribute)):
        return None
    full = get_full_name_for_node(node)
    if full is None:
        return None
    head, dot, rest = full.partition(".")
    names = file_names(codemod)
    if names.exact and head in names.hub:
        return names.hub[head] + dot + rest
    if names.exact and head not in names.hub_bound:
        return None  # no hub import binds it: nothing to resolve
    for qname in metadata(codemod, QualifiedNameProvider, node, set()):
        if _is_hub(qname.name):
            return qname.name
    return None


def hub_attr(codemod: HubCodemod, node: cst.CSTNode) -> str | None:
    """``"Module"`` for ``hub.Module`` / ``Module`` imported from tensorflow_hub, else None."""
    name = hub_name(codemod, node)
    rest = name.partition(".")[2] if name else ""
    return rest or None


def hub_call_attr(codemod: HubCodemod, node: cst.BaseExpression | None) -> str | None:
    """``"load"`` for a call ``hub.load(...)``, etc."""
    if isinstance(node, cst.Call):
        return hub_attr(codemod, node.func)
    return None


def hub_module_of(codemod: HubCodemod, node: cst.CSTNode) -> str:
    """Which of tensorflow_hub / hubcompat a matched name comes from."""
    name = hub_name(codemod, node)
    return name.partition(".")[0] if name else "tensorflow_hub"
