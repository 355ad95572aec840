"""Spec -> load planning, shared by ``signature_info`` and ``image_size``.

Both rewrite queries on loaded models (``QueryRewrite``); a
``hub.load_module_spec(h)`` whose result is only queried becomes
``hub.load(h)`` (``SpecToLoad``). The plans are collected in ``visit_Module``
(call -> frozen plan) and applied in ``leave_Call``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import libcst as cst

from hubcompat.codemods._base import MODERN, HubCodemod
from hubcompat.codemods._bindings import assigned_value, only_queried
from hubcompat.codemods._graph import is_graph_code
from hubcompat.codemods._imports import renamed_import
from hubcompat.codemods._names import hub_call_attr
from hubcompat.codemods._syntax import calls_in, sibling_name


@dataclass(frozen=True)
class SpecToLoad:
    """Plan: this ``hub.load_module_spec(h)`` call becomes ``hub.load(h)``."""


SPEC_TO_LOAD = SpecToLoad()


def plan_loaded_owner(
    codemod: HubCodemod, owner: cst.BaseExpression, plans: dict[cst.CSTNode, Any]
) -> bool:
    """Is ``owner`` a loaded model: ``hub.load(...)``, or ``hub.load_module_spec(...)``
    (inline, or through a name used only for queries), which ``plans`` then marks
    ``SPEC_TO_LOAD`` for :func:`spec_to_load` to rewrite?"""
    kind = hub_call_attr(codemod, owner)
    if kind == "load_module_spec":
        plans[owner] = SPEC_TO_LOAD
        return True
    if kind == "load":
        return True
    value = assigned_value(codemod, owner)
    kind = hub_call_attr(codemod, value)
    if (
        kind == "load_module_spec"
        and isinstance(owner, cst.Name)
        and value is not None
        and only_queried(codemod, value)
    ):
        plans[value] = SPEC_TO_LOAD
        return True
    return kind == "load"


def spec_to_load(codemod: HubCodemod, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
    """``hub.load_module_spec(h)`` -> ``hub.load(h)`` (imports follow)."""
    if isinstance(updated_node.func, cst.Name):
        renamed_import(codemod, original_node.func, "load")
    codemod.changed(original_node, "hub.load_module_spec -> hub.load")
    return updated_node.with_changes(func=sibling_name(updated_node.func, "load"))


class QueryRewrite(HubCodemod):
    """A codemod that rewrites calls on loaded models, planned on the original tree."""

    TARGETS = MODERN
    POSITIONS = True
    EAGER_ONLY = True
    #: the report message of a planned call (formatted with the plan's fields)
    MESSAGE: ClassVar[str] = ""

    def visit_Module(self, node: cst.Module) -> bool:
        self._plans: dict[cst.CSTNode, Any] = {}
        if is_graph_code(self):
            return False
        for call in calls_in(node):
            plan = self.plan(call, self._plans)
            if plan is not None:
                self._plans[call] = plan
                self.changed(call, self.MESSAGE.format(**vars(plan)))
        return self.walk_only_to(self._plans)

    def plan(self, call: cst.Call, plans: dict[cst.CSTNode, Any]) -> Any:
        """The plan for ``call`` (None: left alone); may add ``SPEC_TO_LOAD`` plans."""
        raise NotImplementedError

    def rewrite(self, original: cst.Call, updated: cst.Call, plan: Any) -> cst.BaseExpression:
        raise NotImplementedError

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        plan = self._plans.get(original_node)
        if plan is None:
            return updated_node
        if isinstance(plan, SpecToLoad):
            return spec_to_load(self, original_node, updated_node)
        return self.rewrite(original_node, updated_node, plan)
