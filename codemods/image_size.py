"""``hub.get_expected_image_size`` / ``hub.get_num_image_channels`` on loaded models -> shapes.

Why: both helpers take a TF1 ``hub.Module`` or ``hub.ModuleSpec``; a model
from ``hub.load`` is neither. The same numbers are the height/width and
channel dimensions of the image input of its signature:
``x.signatures["default"].structured_input_signature[1]["images"].shape``.
(tensorflow_hub first looked for an attached ``ImageModuleInfo`` message; the
rewrite reads the input shape, which is what that message repeats for the
tfhub.dev image modules. A module with a dynamic image size gives ``None``.)

Applies to ``hub.load(...)`` results and to ``hub.load_module_spec(h)`` results
used only for such queries (which become ``hub.load(h)``). Eager/Keras files
only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from hubcompat.codemods._names import IMAGE_HELPERS, hub_attr
from hubcompat.codemods._plans import QueryRewrite, plan_loaded_owner
from hubcompat.codemods._syntax import (
    arg_value,
    attribute,
    has_star_args,
    is_none,
    literal_string,
    string,
    subscript,
)


@dataclass(frozen=True)
class ImageShape:
    """Plan: this helper call becomes a read of the signature's image input shape."""

    helper: str  # one of IMAGE_HELPERS


# The same shape as signature_info.SignatureInfoCommand on purpose: both only declare
# what _plans.QueryRewrite (the shared logic) needs.
class ImageSizeCommand(QueryRewrite):
    DESCRIPTION = "get_expected_image_size/get_num_image_channels -> signature input shape."
    ORDER = 40
    TRIGGERS = ("get_expected_image_size", "get_num_image_channels")
    HUB_NAMES = ("get_expected_image_size", "get_num_image_channels")
    MESSAGE = "hub.{helper}(...) -> signature input shape"

    def plan(self, call: cst.Call, plans: dict[cst.CSTNode, Any]) -> ImageShape | None:
        helper = hub_attr(self, call.func)
        if helper not in IMAGE_HELPERS or has_star_args(call) or not call.args:
            return None
        if call.args[0].keyword is not None:
            return None
        sig = arg_value(call, 1, "signature")
        name = arg_value(call, 2, "input_name")
        if any(x is not None and not is_none(x) and literal_string(x) is None for x in (sig, name)):
            return None
        if not plan_loaded_owner(self, call.args[0].value, plans):
            return None
        return ImageShape(helper)

    def rewrite(
        self, original_node: cst.Call, updated_node: cst.Call, plan: ImageShape
    ) -> cst.BaseExpression:
        if isinstance(updated_node.func, cst.Name):
            self.remove_unused_import_by_node(original_node.func)
        owner = updated_node.args[0].value
        sig = arg_value(updated_node, 1, "signature")
        name = arg_value(updated_node, 2, "input_name")
        sig = string("default") if sig is None or is_none(sig) else sig
        name = string("images") if name is None or is_none(name) else name
        specs = subscript(attribute(owner, "signatures"), sig)
        shape = attribute(
            subscript(
                subscript(attribute(specs, "structured_input_signature"), cst.Integer("1")), name
            ),
            "shape",
        )
        if plan.helper == "get_num_image_channels":
            return subscript(shape, cst.Integer("3"))
        dims = cst.Subscript(
            value=shape,
            slice=[
                cst.SubscriptElement(
                    slice=cst.Slice(lower=cst.Integer("1"), upper=cst.Integer("3"))
                )
            ],
        )
        return cst.Call(func=attribute(dims, "as_list"))
