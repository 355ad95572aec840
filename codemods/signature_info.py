"""``get_signature_names`` / ``get_input_info_dict`` / ``get_output_info_dict`` -> ``.signatures``.

Why: these are methods of the TF1 ``hub.Module`` and ``hub.ModuleSpec``; the
object ``hub.load`` returns has none of them. Its ``signatures`` mapping holds
the same facts (https://www.tensorflow.org/hub/migration_tf2):

- ``x.get_signature_names()`` -> ``list(x.signatures.keys())``
- ``x.get_input_info_dict(s)`` -> ``x.signatures[s].structured_input_signature[1]``
  (a dict of ``tf.TensorSpec``: ``.dtype`` and ``.shape`` as before, but no
  ``get_shape()``)
- ``x.get_output_info_dict(s)`` -> ``x.signatures[s].structured_outputs``

where ``x`` comes from ``hub.load`` (e.g. after ``module_to_load``) or from
``hub.load_module_spec(h)`` used only for such queries (then it becomes
``hub.load(h)``). Specs used for anything else stay. Eager/Keras files only.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from hubcompat.codemods._base import MODERN, HubCodemod
from hubcompat.codemods._graph import is_graph_code
from hubcompat.codemods._names import METHODS
from hubcompat.codemods._plans import SpecToLoad, plan_loaded_owner, spec_to_load
from hubcompat.codemods._syntax import (
    arg_value,
    attribute,
    calls_in,
    is_none,
    literal_string,
    string,
    subscript,
)


@dataclass(frozen=True)
class Query:
    """Plan: this signature query becomes a read of ``.signatures``."""

    method: str  # one of METHODS


class SignatureInfoCommand(HubCodemod):
    DESCRIPTION = "Module/ModuleSpec signature queries -> hub.load(...).signatures."
    TARGETS = MODERN
    POSITIONS = True
    EAGER_ONLY = True
    ORDER = 30
    TRIGGERS = ("get_signature_names", "get_input_info_dict", "get_output_info_dict")
    HUB_NAMES = ("load", "load_module_spec")

    def visit_Module(self, node: cst.Module) -> bool:
        self._plan: dict[cst.CSTNode, Query | SpecToLoad] = {}
        if is_graph_code(self):
            return False
        for call in calls_in(node):
            if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in METHODS:
                continue
            if not plan_loaded_owner(self, call.func.value, self._plan):
                continue
            if any(a.keyword is not None and a.keyword.value == "tags" for a in call.args):
                continue
            self._plan[call] = Query(call.func.attr.value)
            self.changed(call, f".{call.func.attr.value}() -> .signatures")
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        plan = self._plan.get(original_node)
        if plan is None:
            return updated_node
        if isinstance(plan, SpecToLoad):
            return spec_to_load(self, original_node, updated_node)
        assert isinstance(updated_node.func, cst.Attribute)
        owner = updated_node.func.value
        signatures = attribute(owner, "signatures")
        if plan.method == "get_signature_names":
            keys = cst.Call(func=attribute(signatures, "keys"))
            return cst.Call(func=cst.Name("list"), args=[cst.Arg(value=keys)])
        function = subscript(signatures, _signature_key(arg_value(updated_node, 0, "signature")))
        if plan.method == "get_input_info_dict":
            return subscript(attribute(function, "structured_input_signature"), cst.Integer("1"))
        return attribute(function, "structured_outputs")


def _signature_key(node: cst.BaseExpression | None) -> cst.BaseExpression:
    if node is None or is_none(node):
        return string("default")
    if literal_string(node) is not None:
        return node
    return cst.BooleanOperation(left=node, operator=cst.Or(), right=string("default"))
