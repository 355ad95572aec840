"""What every hubcompat codemod shares.

- ``HubCodemod``: a ``VisitorBasedCodemodCommand`` that knows its name,
  targets and order, matches ``tensorflow_hub`` (or already migrated
  ``hubcompat``) names by *qualified name*, and records report events.
- ``todo()``: puts one ``# TODO(hubcompat): ...`` comment above the statement
  that holds a node, once (a second run finds it and adds nothing).
- ``is_graph_code()``: does a module use TF1 graph machinery (Sessions,
  collections, placeholders, Estimators)? There the modern rewrites stop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar

import libcst as cst
import libcst.matchers as m
from libcst.codemod import Codemod, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from hubcompat.codemods._syntax import sibling_name

HUB_MODULES = ("tensorflow_hub", "hubcompat")
TODO_PREFIX = "# TODO(hubcompat): "
EVENTS_KEY = "hubcompat.events"
#: Context scratch key: the runner's whole-file answer to ``is_graph_code()``.
GRAPH_KEY = "hubcompat.graph_code"
#: Context scratch key: the file's text as the runner sees it (for ``needed()``).
TEXT_KEY = "hubcompat.text"

#: Metadata for codemods that resolve names (qualified names, scopes, parents).
NAME_METADATA = (QualifiedNameProvider, PositionProvider, ParentNodeProvider, ScopeProvider)

#: Methods of hub.Module / hub.ModuleSpec that query signatures.
METHODS = frozenset({"get_signature_names", "get_input_info_dict", "get_output_info_dict"})
#: tensorflow_hub functions that read a module's expected image input.
IMAGE_HELPERS = frozenset({"get_expected_image_size", "get_num_image_channels"})
#: The plan of a ``hub.load_module_spec(...)`` call to become ``hub.load(...)``.
SPEC_TO_LOAD = "spec_to_load"

BOTH = frozenset({"hubcompat", "modern"})
MODERN = frozenset({"modern"})

# Qualified-name prefixes that mean "this code builds a TF1 graph and runs it
# in a Session": rewriting hub.Module to eager objects there would break it.
GRAPH_PREFIXES = (
    "tensorflow.Session",
    "tensorflow.InteractiveSession",
    "tensorflow.compat.v1.",
    "tensorflow.placeholder",
    "tensorflow.get_collection",
    "tensorflow.add_to_collection",
    "tensorflow.GraphKeys",
    "tensorflow.Graph",
    "tensorflow.get_default_graph",
    "tensorflow.global_variables_initializer",
    "tensorflow.tables_initializer",
    "tensorflow.local_variables_initializer",
    "tensorflow.variable_scope",
    "tensorflow.get_variable",
    "tensorflow.layers.",
    "tensorflow.losses.",
    "tensorflow.train.Saver",
    "tensorflow.train.MonitoredSession",
    "tensorflow.train.MonitoredTrainingSession",
    "tensorflow.train.AdamOptimizer",
    "tensorflow.train.GradientDescentOptimizer",
    "tensorflow.train.get_or_create_global_step",
    "tensorflow.train.get_global_step",
    "tensorflow.estimator",
    "tensorflow_estimator",
    "tensorflow.contrib",
    "tensorflow.saved_model.simple_save",
    "tensorflow.saved_model.builder",
)


class HubCodemod(VisitorBasedCodemodCommand):
    """Base class: name, targets, order, hub-name matching, TODOs, report events."""

    # None by default (line numbers then come from the text); libcst unions
    # the dependencies of all base classes, so analysis is opted into with NAME_METADATA.
    METADATA_DEPENDENCIES = ()
    #: Targets (``hubcompat``, ``modern``) this codemod runs for.
    TARGETS: ClassVar[frozenset[str]] = BOTH
    #: Codemods run in increasing ORDER (imports move last: the others match
    #: ``tensorflow_hub`` names).
    ORDER: ClassVar[int] = 50
    #: The codemod only runs when the code contains one of these substrings
    #: (a cheap test before the costly scope / qualified-name analysis).
    TRIGGERS: ClassVar[tuple[str, ...]] = ("tensorflow_hub", "hubcompat")
    #: tensorflow_hub names this codemod acts on (``"Module"``): it only runs when
    #: the text references one through an import alias (``hub.Module``) or a
    #: ``from tensorflow_hub import`` (empty: no such check).
    HUB_NAMES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
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
        #: Set when this codemod changed the tree (callers skip re-generating code otherwise).
        self.modified = False

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        # Same as libcst's, minus the defensive deep copy of the tree (~15% of a
        # run): the tree is freshly parsed or transformed, each node occurs once.
        old_wrapper = self.context.wrapper
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        with self.resolve(wrapper):
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
        """A last cheap test before the metadata analysis (after :meth:`wants`)."""
        return True

    @classmethod
    def wants(cls, text: str) -> bool:
        """Cheap text test before parsing metadata: can this codemod change ``text``?"""
        if not any(trigger in text for trigger in cls.TRIGGERS):
            return False
        if not cls.HUB_NAMES:
            return True
        aliases, names = hub_references(text)
        return "*" in names or any(
            name in names or any(f"{alias}.{name}" in text for alias in aliases)
            for name in cls.HUB_NAMES
        )

    # -- identity ------------------------------------------------------------

    @classmethod
    def name(cls) -> str:
        return cls.__module__.rsplit(".", 1)[-1]

    # -- matching ------------------------------------------------------------

    def hub_attr(self, node: cst.CSTNode) -> str | None:
        """``"Module"`` for ``hub.Module`` / ``Module`` imported from tensorflow_hub, else None."""
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        try:
            names = self.get_metadata(QualifiedNameProvider, node, set())
        except KeyError:
            return None
        for qname in names:
            head, _, rest = qname.name.partition(".")
            if head in HUB_MODULES and rest:
                return rest
        return None

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        try:
            return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}
        except KeyError:
            return set()

    def hub_module_of(self, node: cst.CSTNode) -> str:
        """Which of tensorflow_hub / hubcompat a matched name comes from."""
        for qname in self.qualified_names(node):
            head = qname.partition(".")[0]
            if head in HUB_MODULES:
                return head
        return "tensorflow_hub"

    def line_of(self, node: cst.CSTNode) -> int:
        if PositionProvider not in self.get_inherited_dependencies():
            return self._line_from_text(node)
        try:
            return self.get_metadata(PositionProvider, node).start.line
        except KeyError:
            return 0

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        try:
            return self.get_metadata(ParentNodeProvider, node)
        except KeyError:
            return None

    # -- bindings --------------------------------------------------------------

    def _assignment(self, name: cst.Name) -> Any:
        """The single scope Assignment that ``name`` (a use or a target) refers to, or None."""
        try:
            scope = self.get_metadata(ScopeProvider, name)
        except KeyError:
            return None
        if scope is None:
            return None
        assignments = [a for a in scope[name.value] if hasattr(a, "node")]
        if len(assignments) != 1 or type(assignments[0]).__name__ != "Assignment":
            return None
        return assignments[0]

    def assigned_value(self, name: cst.BaseExpression | None) -> cst.BaseExpression | None:
        """For a Name with exactly one ``name = value`` assignment in reach: that value."""
        if not isinstance(name, cst.Name):
            return None
        assignment = self._assignment(name)
        if assignment is None:
            return None
        target = assignment.node
        holder = self.parent(target)
        statement = self.parent(holder) if isinstance(holder, cst.AssignTarget) else holder
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            if statement.targets[0].target is target:
                return statement.value
        if isinstance(statement, cst.AnnAssign) and statement.target is target:
            return statement.value
        return None

    def references(self, target: cst.Name) -> list[cst.CSTNode] | None:
        """Every use of the name bound at ``target``, or None if the name is rebound."""
        assignment = self._assignment(target)
        if assignment is None or assignment.node is not target:
            return None
        return [access.node for access in assignment.references]

    def hub_call_attr(self, node: cst.BaseExpression | None) -> str | None:
        """``"load"`` for a call ``hub.load(...)``, etc."""
        if isinstance(node, cst.Call):
            return self.hub_attr(node.func)
        return None

    def only_queried(self, value: cst.BaseExpression | None) -> bool:
        """Is ``name = value`` used only for signature queries / image-size helpers?"""
        statement = self.parent(value) if value is not None else None
        targets = getattr(statement, "targets", None)
        if not targets or len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
            return False
        refs = self.references(targets[0].target)
        if not refs:
            return False
        for ref in refs:
            parent = self.parent(ref)
            grand = self.parent(parent) if parent is not None else None
            if isinstance(parent, cst.Attribute) and parent.attr.value in METHODS:
                if isinstance(grand, cst.Call) and grand.func is parent:
                    continue
            if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call):
                if self.hub_attr(grand.func) in IMAGE_HELPERS and grand.args[0] is parent:
                    continue
            return False
        return True

    def plan_loaded_owner(self, owner: cst.BaseExpression, plan: dict) -> bool:
        """Is ``owner`` a loaded model: ``hub.load(...)``, or ``hub.load_module_spec(...)``
        (inline, or through a name used only for queries), which ``plan`` then marks
        ``SPEC_TO_LOAD`` for :meth:`spec_to_load` to rewrite?"""
        kind = self.hub_call_attr(owner)
        if kind == "load_module_spec":
            plan[owner] = SPEC_TO_LOAD
            return True
        if kind == "load":
            return True
        value = self.assigned_value(owner)
        kind = self.hub_call_attr(value)
        if kind == "load_module_spec" and isinstance(owner, cst.Name) and self.only_queried(value):
            plan[value] = SPEC_TO_LOAD
            return True
        return kind == "load"

    def spec_to_load(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """``hub.load_module_spec(h)`` -> ``hub.load(h)`` (imports follow)."""
        if isinstance(updated_node.func, cst.Name):
            self.add_needed_import(self.hub_module_of(original_node.func), "load")
            self.remove_unused_import_by_node(original_node.func)
        self.changed(original_node, "hub.load_module_spec -> hub.load")
        return updated_node.with_changes(func=sibling_name(updated_node.func, "load"))

    # -- report events and TODOs ---------------------------------------------

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
        return visit

    def _top_statements(self) -> dict[int, tuple[int, str, int]]:
        """id(top-level statement) -> (line of its first leading line, its code, #leading lines).

        Module code is the header lines followed by each statement's code, so this
        gives positions without the costly PositionProvider.
        """
        cached = getattr(self, "_tops", None)
        if cached is None:
            cached = self._tops = {}
            line = 1 + len(self.module.header)
            for statement in self.module.body:
                text = self.module.code_for_node(statement)
                cached[id(statement)] = (line, text, len(statement.leading_lines))
                line += text.count("\n")
        return cached

    def _line_from_text(self, node: cst.CSTNode) -> int:
        original = self.context.scratch.get(TEXT_KEY)
        if original is not None and self.module is not None:
            return self._line_in_original(original, node)
        tops = self._top_statements()
        for statement in reversed(self._open_statements):
            if id(statement) in tops:
                first, text, leading = tops[id(statement)]
                needle = self.module.code_for_node(node).strip().splitlines()
                lines = text.splitlines()
                for index in range(leading, len(lines)):
                    if needle and needle[0] in lines[index]:
                        return first + index
                return first + leading
        return 0

    def _line_in_original(self, original: str, node: cst.CSTNode) -> int:
        """The line of the file's text where ``node``'s first line occurs, searched
        from the previous hit on (nodes are reported in source order)."""
        needle = next(
            (line.strip() for line in self.module.code_for_node(node).splitlines() if line.strip()),
            "",
        )
        if not needle:
            return 0
        start = getattr(self, "_cursor", 0)
        at = original.find(needle, start)
        if at == -1:
            at = original.find(needle)
        if at == -1:
            return 0
        self._cursor = at
        return original.count("\n", 0, at) + 1

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result = cst.CSTTransformer.on_leave(self, original_node, updated_node)
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

    # -- graph detection -----------------------------------------------------

    def is_graph_code(self) -> bool:
        """Graph code anywhere in the file (decided on the whole file when the runner
        shows this codemod only part of it: ``GRAPH_KEY``)."""
        if GRAPH_KEY in self.context.scratch:
            return bool(self.context.scratch[GRAPH_KEY])
        cached = getattr(self, "_graph_code", None)
        if cached is None:
            cached = False
            for node in m.findall(self.module, m.Import() | m.ImportFrom()):
                if any(f"{name}.".startswith(GRAPH_PREFIXES) for name in _imported_names(node)):
                    self._graph_code = True
                    return True
            for node in m.findall(self.module, m.Name() | m.Attribute()):
                for qname in self.qualified_names(node):
                    if qname.startswith(GRAPH_PREFIXES):
                        cached = True
                        break
                if cached:
                    break
            self._graph_code = cached
        return cached


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.found.append(node)


def calls_in(node: cst.CSTNode) -> list[cst.Call]:
    """Every Call under ``node``, in source order (a plain visit: matchers cost more)."""
    collector = _Calls()
    node.visit(collector)
    return collector.found


_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.MULTILINE)
_FROM = re.compile(
    r"^[ \t]*from[ \t]+(?:tensorflow_hub|hubcompat)[\w.]*[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)",
    re.MULTILINE,
)


def hub_references(text: str) -> tuple[set[str], set[str]]:
    """Names bound to tensorflow_hub/hubcompat by imports, and names imported from them."""
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


def _imported_names(node: Any) -> list[str]:
    if isinstance(node, cst.Import):
        return [get_full_name_for_node(a.name) or "" for a in node.names]
    if node.relative or node.module is None:
        return []
    module = get_full_name_for_node(node.module) or ""
    if isinstance(node.names, cst.ImportStar):
        return [module]
    return [f"{module}.{get_full_name_for_node(a.name)}" for a in node.names]


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
