"""``HubCodemod``: what every hubcompat codemod is, and nothing it analyses.

A ``VisitorBasedCodemodCommand`` with a name (its module's), targets, an
order, cheap text tests (``wants`` before parsing, ``needed`` before any
analysis), report events, and ``# TODO(hubcompat)`` comments above the
statement that holds a node. The analyses live in helper modules, as
functions of the codemod: ``_names`` (which names are tensorflow_hub's),
``_bindings`` (parents, what a name is bound to), ``_graph`` (TF1 graph
code), ``_plans`` (spec -> load). None of them is resolved up front: each is
computed when first asked, once per module, and libcst's costly metadata only
for names that are ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, VisitorBasedCodemodCommand
from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

from hubcompat.codemods import _bindings, _imports
from hubcompat.codemods._bindings import top_statement
from hubcompat.codemods._keys import EVENTS_KEY, GRAPH_KEY, LINES_KEY, TEXT_KEY
from hubcompat.codemods._meta import metadata
from hubcompat.codemods._names import hub_references
from hubcompat.codemods._todos import TextLines, add_todo_comments

BOTH = frozenset({"hubcompat", "modern"})
MODERN = frozenset({"modern"})


class HubCodemod(VisitorBasedCodemodCommand):
    """Base class: name, targets, order, cheap tests, TODOs, report events."""

    METADATA_DEPENDENCIES = ()  # metadata is resolved on demand (see the module doc)
    #: Targets (``hubcompat``, ``modern``) this codemod runs for.
    TARGETS: ClassVar[frozenset[str]] = BOTH
    #: Codemods run in increasing ORDER (imports move last: the others match
    #: ``tensorflow_hub`` names).
    ORDER: ClassVar[int] = 50
    #: The codemod only runs when the code contains one of these substrings.
    TRIGGERS: ClassVar[tuple[str, ...]] = ("tensorflow_hub", "hubcompat")
    #: tensorflow_hub names this codemod acts on (``"Module"``): it only runs when
    #: the text references one through an import alias (``hub.Module``) or a
    #: ``from tensorflow_hub import`` (empty: no such check).
    HUB_NAMES: ClassVar[tuple[str, ...]] = ()
    #: Report lines come from positions (the runner's ``ast`` for calls, else libcst's
    #: PositionProvider, mapped to the file); False: found in the text.
    POSITIONS: ClassVar[bool] = False
    #: The codemod does nothing in TF1 graph code (skipped before any analysis).
    EAGER_ONLY: ClassVar[bool] = False
    #: The runner shows the codemod only the statements that mention hub names
    #: (``hubcompat.migrate.prune``); False: the whole module (it enters few nodes).
    PRUNE: ClassVar[bool] = True
    #: The codemod edits the text before libcst parses it (``rewrite_text``; ``tf1_program``).
    TEXT_LEVEL: ClassVar[bool] = False

    def __init__(self, context: CodemodContext) -> None:
        # Not MatcherDecoratableTransformer.__init__: it inspects every attribute for
        # matcher decorators (~40 ms per instance, more than parsing a small file),
        # and no hubcompat codemod uses them.
        Codemod.__init__(self, context)
        cst.CSTTransformer.__init__(self)
        self._extra_visit_funcs: dict[Any, Any] = {}
        self._extra_leave_funcs: dict[Any, Any] = {}
        self._matchers = {}
        self._statement_todos: list[list[str]] = []
        self._open_statements: list[cst.CSTNode] = []
        self._lines: TextLines | None = None
        #: imported hub names this transform renamed (``_imports``)
        self.renames: list[_imports.Rename] = []
        #: Set when this codemod changed the tree (callers skip re-generating code otherwise).
        self.modified = False
        #: The nodes the transform enters (``walk_only_to``); None: all of them.
        self._spine: set[cst.CSTNode] | None = None

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        # Same as libcst's, minus the defensive deep copy of the tree (~15% of a
        # run): the tree is freshly parsed or transformed, each node occurs once.
        # Nothing is resolved here: the helpers resolve what they need.
        old_wrapper = self.context.wrapper
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.context = replace(self.context, wrapper=wrapper)
        try:
            yield wrapper.module
        finally:
            self.context = replace(self.context, wrapper=old_wrapper)

    def transform_module(self, tree: cst.Module) -> cst.Module:
        if not self.needed():
            return tree
        return super().transform_module(tree)

    def needed(self) -> bool:
        """A last cheap test before any analysis (after :meth:`wants`)."""
        return not (self.EAGER_ONLY and self.context.scratch.get(GRAPH_KEY))

    @classmethod
    def wants(cls, text: str) -> bool:
        """Cheap text test before parsing: can this codemod change ``text``?"""
        if not any(trigger in text for trigger in cls.TRIGGERS):
            return False
        if not cls.HUB_NAMES:
            return True
        aliases, names = hub_references(text)
        return "*" in names or any(
            name in names or any(f"{alias}.{name}" in text for alias in aliases)
            for name in cls.HUB_NAMES
        )

    @classmethod
    def name(cls) -> str:
        return cls.__module__.rsplit(".", 1)[-1]

    def remove_unused_import_by_node(self, node: cst.CSTNode) -> None:
        # libcst's RemovedNodeVisitor reads scopes: resolved now, in this module only.
        self.context.wrapper.resolve(ScopeProvider)  # type: ignore[union-attr]
        super().remove_unused_import_by_node(node)

    # -- report events and TODOs ---------------------------------------------

    def line_of(self, node: cst.CSTNode) -> int:
        if self.POSITIONS:
            lines = self.context.scratch.get(LINES_KEY)
            if lines is not None and isinstance(node, cst.Call):
                top = top_statement(self, node)
                line = lines.call_line(top, node) if top is not None else None
                if line:
                    return int(line)
            position = metadata(self, PositionProvider, node)
            line = position.start.line if position is not None else 0
            return int(lines.original_line(self.module, line)) if lines is not None else line
        if self._lines is None or self._lines.module is not self.module:
            self._lines = TextLines(self.module, self.context.scratch.get(TEXT_KEY))
        return self._lines.line(node, self._open_statements)

    def event(self, kind: str, node: cst.CSTNode, message: str) -> None:
        events: list[dict[str, Any]] = self.context.scratch.setdefault(EVENTS_KEY, [])
        events.append(
            {"codemod": self.name(), "kind": kind, "line": self.line_of(node), "message": message}
        )

    def changed(self, node: cst.CSTNode, message: str) -> None:
        self.modified = True
        self.event("change", node, message)

    def todo(self, node: cst.CSTNode, message: str) -> None:
        """Report ``message`` and put it as a TODO comment above ``node``'s statement."""
        self.event("todo", node, message)
        if self._statement_todos:
            if message not in self._statement_todos[-1]:
                self._statement_todos[-1].append(message)

    # Plain CSTTransformer dispatch (no matcher bookkeeping on every node).
    on_visit_attribute = cst.CSTTransformer.on_visit_attribute
    on_leave_attribute = cst.CSTTransformer.on_leave_attribute

    def on_visit(self, node: cst.CSTNode) -> bool:
        visit = cst.CSTTransformer.on_visit(self, node)
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._statement_todos.append([])
            self._open_statements.append(node)
        return visit and (self._spine is None or node in self._spine)

    def walk_only_to(self, nodes: Iterable[cst.CSTNode]) -> bool:
        """Enter only ``nodes`` and the nodes holding them in the rest of the transform
        (their ``visit_*`` / ``leave_*`` still run; nothing else below the module is
        visited). For codemods that planned every change on the original tree: the
        walk reaches each planned node, and skips the rest of the statements.
        False when there is nothing to reach."""
        parents = _bindings.index(self).parents
        spine: set[cst.CSTNode] = set()
        for node in nodes:
            current: cst.CSTNode | None = node
            while current is not None and current not in spine:
                spine.add(current)
                current = parents.get(current)
        self._spine = spine
        return bool(spine)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result = cst.CSTTransformer.on_leave(self, original_node, updated_node)
        if isinstance(result, cst.Module):
            return _imports.apply(self, result)
        if isinstance(original_node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._open_statements.pop()
            messages = self._statement_todos.pop()
            if messages and isinstance(
                result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                # libcst parses comments above the first statement into Module.header
                first = bool(self.module.body) and original_node is self.module.body[0]
                header = self.module.header if first else ()
                new = add_todo_comments(result, messages, header)
                self.modified = self.modified or new is not result
                result = new
        return result
