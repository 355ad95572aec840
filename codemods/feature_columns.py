"""``hub.text_embedding_column`` -> ``hub.text_embedding_column_v2``; other columns get a TODO.

Why: the TF1 feature columns instantiate a ``hub.Module`` in the graph.
tensorflow_hub 0.15 has a TF2 version only for text
(``text_embedding_column_v2(key, module_path, output_key=None,
trainable=False)``, which loads with ``hub.load`` and works with Keras
``DenseFeatures``, not with Estimators). So, in eager/Keras files,
``text_embedding_column(key, module_spec=h, trainable=t)`` becomes
``text_embedding_column_v2(key, h, trainable=t)``. Estimator / graph files,
specs from ``load_module_spec``, ``image_embedding_column`` and
``sparse_text_embedding_column`` have no TF2 equivalent: they keep running on
hubcompat and get a TODO.
"""

from __future__ import annotations

import libcst as cst

from hubcompat.codemods._base import MODERN, HubCodemod
from hubcompat.codemods._bindings import assigned_value
from hubcompat.codemods._graph import is_graph_code
from hubcompat.codemods._imports import renamed_import
from hubcompat.codemods._names import hub_attr, hub_call_attr
from hubcompat.codemods._syntax import arg_value, has_star_args, sibling_name

NO_V2 = {
    "image_embedding_column": "image_embedding_column has no TF2 version: in Keras, "
    "apply hub.KerasLayer to the image tensor (kept running on hubcompat)",
    "sparse_text_embedding_column": "sparse_text_embedding_column has no TF2 version: in Keras, "
    "embed the tokens with hub.KerasLayer (kept running on hubcompat)",
}
SPEC_FACTORIES = frozenset({"load_module_spec", "create_module_spec"})


class FeatureColumnsCommand(HubCodemod):
    DESCRIPTION = (
        "text_embedding_column -> text_embedding_column_v2; TODO for the other hub columns."
    )
    TARGETS = MODERN
    POSITIONS = True
    ORDER = 50
    TRIGGERS = ("_embedding_column",)
    HUB_NAMES = (*NO_V2, "text_embedding_column")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        name = hub_attr(self, original_node.func)
        if name in NO_V2:
            self.todo(original_node, NO_V2[name])
            return updated_node
        if name != "text_embedding_column":
            return updated_node
        if is_graph_code(self):
            self.todo(
                original_node,
                "text_embedding_column in graph/Estimator code: text_embedding_column_v2 "
                "works only with Keras (kept running on hubcompat)",
            )
            return updated_node
        spec = arg_value(original_node, 1, "module_spec")
        if (
            has_star_args(original_node)
            or spec is None
            or hub_call_attr(self, spec) in SPEC_FACTORIES
            or hub_call_attr(self, assigned_value(self, spec)) in SPEC_FACTORIES
        ):
            self.todo(
                original_node,
                "text_embedding_column from a ModuleSpec: pass the handle to "
                "text_embedding_column_v2 by hand",
            )
            return updated_node
        args = [
            arg.with_changes(keyword=cst.Name("module_path"))
            if arg.keyword is not None and arg.keyword.value == "module_spec"
            else arg
            for arg in updated_node.args
        ]
        if isinstance(updated_node.func, cst.Name):
            renamed_import(self, original_node.func, "text_embedding_column_v2")
        self.changed(original_node, "text_embedding_column -> text_embedding_column_v2")
        return updated_node.with_changes(
            func=sibling_name(updated_node.func, "text_embedding_column_v2"), args=args
        )
