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
from typing import Any

import libcst as cst

from hubcompat.codemods._names import METHODS
from hubcompat.codemods._plans import QueryRewrite, plan_loaded_owner
from hubcompat.codemods._syntax import (
    arg_value,
    attribute,
    is_none,
    literal_string,
    string,
    subscript,
)


@dataclass(frozen=True)
class Query:
    """Plan: this signature query becomes a read of ``.signatures``."""

    method: str  # one of METHODS


# The same shape as image_size.ImageSizeCommand on purpose: both only declare what
# _plans.QueryRewrite (the shared logic) needs.
class SignatureInfoCommand(QueryRewrite):
    DESCRIPTION = "Module/ModuleSpec signature queries -> hub.load(...).signatures."
    ORDER = 30
    TRIGGERS = ("get_signature_names", "get_input_info_dict", "get_output_info_dict")
    HUB_NAMES = ("load", "load_module_spec")
    MESSAGE = ".{method}() -> .signatures"

    def plan(self, call: cst.Call, plans: dict[cst.CSTNode, Any]) -> Query | None:
        if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in METHODS:
            return None
        if not plan_loaded_owner(self, call.func.value, plans):
            return None
        if any(a.keyword is not None and a.keyword.value == "tags" for a in call.args):
            return None
        return Query(call.func.attr.value)

    def rewrite(
        self, original_node: cst.Call, updated_node: cst.Call, plan: Query
    ) -> cst.BaseExpression:
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
