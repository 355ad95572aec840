"""Parents, and what a plain name is bound to: ``m = hub.Module(h)`` and every use of ``m``.

Speed: libcst's ``ParentNodeProvider`` and ``ScopeProvider`` each visit the
module through libcst's visitor machinery (together about three parses). A
name that ``_names.FileNames`` says is bound once in the whole file (never
rebound, ``global``, ``del``'d or bound in a class body) needs no scope
analysis: its one ``name = value`` binding is visible in the function body
(or module) that holds it, and its uses are the names read there. ``Index``
gets parents, those bindings and the reads in one plain walk over the node
fields (no visitor dispatch). The uses are trusted only when their number is
the number ``ast`` reads in the whole file; anything else (a name bound twice,
in a class, a star import) asks libcst's ``ScopeProvider``, resolved then,
once per module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import libcst as cst
from libcst.metadata import ScopeProvider

from hubcompat.codemods._meta import metadata
from hubcompat.codemods._names import IMAGE_HELPERS, METHODS, file_names, hub_attr
from hubcompat.codemods._syntax import child_fields
from hubcompat.codemods._syntax import children as syntax_children

if TYPE_CHECKING:
    from hubcompat.codemods._base import HubCodemod


#: Fields that hold a Name that is not a read.
_NOT_READ: dict[type, str] = {
    cst.Attribute: "attr", cst.Arg: "keyword", cst.FunctionDef: "name", cst.ClassDef: "name",
    cst.Param: "name", cst.MatchKeywordElement: "key",
}  # fmt: skip
_OPAQUE = (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        skip = _NOT_READ.get(kind)
        names = _FIELDS[kind] = tuple(n for n in child_fields(kind) if n != skip)
    return names


class Index:
    """One walk of a module: every node's parent, the plain-name reads and targets."""

    def __init__(self, module: cst.Module) -> None:
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.reads: dict[str, list[cst.Name]] = {}
        self.targets: dict[str, list[cst.Name]] = {}
        parents, reads, targets = self.parents, self.reads, self.targets
        stack: list[cst.CSTNode] = [module]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                parent = parents.get(node)
                if isinstance(parent, cst.AssignTarget | cst.AnnAssign):
                    targets.setdefault(node.value, []).append(node)
                else:
                    reads.setdefault(node.value, []).append(node)
                continue
            if isinstance(node, _OPAQUE):
                continue
            children = syntax_children(node, _fields(type(node)))
            for child in children:
                parents[child] = node
            stack.extend(reversed(children))

    def scope_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The function body or module whose names ``node`` is bound in (None: a class body)."""
        current: cst.CSTNode | None = node
        while current is not None:
            parent = self.parents.get(current)
            if parent is None:
                return current  # the module
            if isinstance(parent, cst.FunctionDef) and current is parent.body:
                return current
            if isinstance(parent, cst.ClassDef) and current is parent.body:
                return None
            current = parent
        return None

    def within(self, node: cst.CSTNode, scope: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = node
        while current is not None and current is not scope:
            current = self.parents.get(current)
        return current is scope


def index(codemod: HubCodemod) -> Index:
    """The ``Index`` of the module the codemod is transforming (made on first use)."""
    module = codemod.context.wrapper.module
    cached = getattr(codemod, "_hub_index", None)
    if cached is None or cached[0] is not module:
        cached = (module, Index(module))
        codemod._hub_index = cached
    return cached[1]


def parent(codemod: HubCodemod, node: cst.CSTNode) -> cst.CSTNode | None:
    return index(codemod).parents.get(node)


def top_statement(codemod: HubCodemod, node: cst.CSTNode) -> cst.CSTNode | None:
    """The top-level statement of the transformed module that holds ``node``."""
    parents = index(codemod).parents
    current: cst.CSTNode | None = node
    while current is not None:
        above = parents.get(current)
        if isinstance(above, cst.Module):
            return current
        current = above
    return None


def _simple_binding(codemod: HubCodemod, name: str) -> cst.Name | None | Literal[False]:
    """The one ``name = ...`` target of a name bound once in the file; None: no such
    target in this module; False: the name needs libcst's scope analysis."""
    names = file_names(codemod)
    if not names.exact or name not in names.once:
        return False
    found = index(codemod).targets.get(name, [])
    if len(found) > 1:
        return False
    return found[0] if found else None


def _scoped_assignment(codemod: HubCodemod, name: cst.Name) -> Any:
    """libcst's answer: the single scope Assignment that ``name`` refers to, or None."""
    scope = metadata(codemod, ScopeProvider, name)
    if scope is None:
        return None
    assignments = [a for a in scope[name.value] if hasattr(a, "node")]
    if len(assignments) != 1 or type(assignments[0]).__name__ != "Assignment":
        return None
    return assignments[0]


def _binding_target(codemod: HubCodemod, name: cst.Name) -> cst.CSTNode | None:
    """The node that binds ``name`` (a use or a target), if bound exactly once in reach."""
    target = _simple_binding(codemod, name.value)
    if target is False:
        assignment = _scoped_assignment(codemod, name)
        return None if assignment is None else assignment.node
    if target is None:
        return None
    idx = index(codemod)
    scope = idx.scope_of(target)
    if scope is None:  # class body: libcst's rules
        assignment = _scoped_assignment(codemod, name)
        return None if assignment is None else assignment.node
    return target if name is target or idx.within(name, scope) else None


def assigned_value(
    codemod: HubCodemod, name: cst.BaseExpression | None
) -> cst.BaseExpression | None:
    """For a Name with exactly one ``name = value`` assignment in reach: that value."""
    if not isinstance(name, cst.Name):
        return None
    target = _binding_target(codemod, name)
    if target is None:
        return None
    holder = parent(codemod, target)
    statement = parent(codemod, holder) if isinstance(holder, cst.AssignTarget) else holder
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        if statement.targets[0].target is target:
            return statement.value
    if isinstance(statement, cst.AnnAssign) and statement.target is target:
        return statement.value
    return None


def references(codemod: HubCodemod, target: cst.Name) -> list[cst.CSTNode] | None:
    """Every use of the name bound at ``target``, or None if the name is rebound."""
    simple = _simple_binding(codemod, target.value)
    if simple is target:
        idx = index(codemod)
        scope = idx.scope_of(target)
        reads = idx.reads.get(target.value, [])
        if scope is not None and len(reads) == file_names(codemod).loads.get(target.value, 0):
            return [read for read in reads if idx.within(read, scope)]
    assignment = _scoped_assignment(codemod, target)
    if assignment is None or assignment.node is not target:
        return None
    return [access.node for access in assignment.references]


def only_queried(codemod: HubCodemod, value: cst.BaseExpression | None) -> bool:
    """Is ``name = value`` used only for signature queries / image-size helpers?"""
    statement = parent(codemod, value) if value is not None else None
    targets = getattr(statement, "targets", None)
    if not targets or len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
        return False
    refs = references(codemod, targets[0].target)
    if not refs:
        return False
    for ref in refs:
        holder = parent(codemod, ref)
        grand = parent(codemod, holder) if holder is not None else None
        if isinstance(holder, cst.Attribute) and holder.attr.value in METHODS:
            if isinstance(grand, cst.Call) and grand.func is holder:
                continue
        if isinstance(holder, cst.Arg) and isinstance(grand, cst.Call):
            if hub_attr(codemod, grand.func) in IMAGE_HELPERS and grand.args[0] is holder:
                continue
        return False
    return True
