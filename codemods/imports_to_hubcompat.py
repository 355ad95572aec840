"""``import tensorflow_hub as hub`` -> ``import hubcompat as hub`` (every import form).

Why: tensorflow_hub 0.16 dropped the TF1 API (``hub.Module``,
``load_module_spec``, feature columns, ...), and its remaining code cannot load
TF1 Hub modules on Keras 3. hubcompat has the same names with 0.15 semantics,
so moving the imports is the smallest diff that runs on modern TensorFlow; the
rewritten code never needs tensorflow_hub. The user's alias is kept:

- ``import tensorflow_hub as tfhub`` -> ``import hubcompat as tfhub``
- ``import tensorflow_hub`` -> ``import hubcompat as tensorflow_hub`` (no other
  line changes)
- ``from tensorflow_hub import Module`` -> ``from hubcompat import Module``;
  ``from tensorflow_hub.keras_layer import KerasLayer`` -> ``from hubcompat
  import KerasLayer``

Imports of tensorflow_hub submodules as modules (``import
tensorflow_hub.tools``, ``from tensorflow_hub import module``) get a TODO.
Runs last, since the other codemods match ``tensorflow_hub`` names.
"""

from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node

from hubcompat.codemods._base import BOTH, HubCodemod

SUBMODULES = frozenset(
    {
        "compressed_module_resolver", "config", "estimator", "feature_column",
        "feature_column_v2", "image_util", "keras_layer", "module", "module_v2",
        "native_module", "registry", "resolver", "saved_model_lib", "saved_model_module",
        "tf_utils", "tools", "uncompressed_module_resolver", "version",
    }
)  # fmt: skip


_CONTAINERS = (
    cst.Module, cst.BaseSuite, cst.BaseCompoundStatement, cst.SimpleStatementLine,
    cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase,
)  # fmt: skip


class ImportsToHubcompatCommand(HubCodemod):
    DESCRIPTION = "Imports of tensorflow_hub -> hubcompat, keeping the aliases."
    TARGETS = BOTH
    ORDER = 90
    TRIGGERS = ("tensorflow_hub",)
    PRUNE = False  # enters statements and blocks only: no analysis to save

    def on_visit(self, node: cst.CSTNode) -> bool:
        # Imports are statements: only statements and the blocks holding them are
        # entered (an import's own parts are read in leave_Import*).
        visit = super().on_visit(node)
        return visit and isinstance(node, _CONTAINERS)

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        names = []
        for alias in updated_node.names:
            full = get_full_name_for_node(alias.name) or ""
            if full == "tensorflow_hub":
                asname = alias.asname or cst.AsName(name=cst.Name("tensorflow_hub"))
                alias = alias.with_changes(name=cst.Name("hubcompat"), asname=asname)
                self.changed(original_node, "import tensorflow_hub -> import hubcompat")
            elif full.startswith("tensorflow_hub."):
                self.todo(
                    original_node,
                    f"import {full}: hubcompat has no such submodule; "
                    "import the names from hubcompat instead",
                )
            names.append(alias)
        return updated_node.with_changes(names=names)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if updated_node.relative or updated_node.module is None:
            return updated_node
        full = get_full_name_for_node(updated_node.module) or ""
        if full != "tensorflow_hub" and not full.startswith("tensorflow_hub."):
            return updated_node
        if not isinstance(updated_node.names, cst.ImportStar):
            imported = {get_full_name_for_node(a.name) for a in updated_node.names}
            if full == "tensorflow_hub" and imported & SUBMODULES:
                self.todo(
                    original_node,
                    f"from {full} import <submodule>: hubcompat has no "
                    "such submodule; import the names from hubcompat instead",
                )
                return updated_node
        elif full != "tensorflow_hub":
            self.todo(original_node, f"from {full} import *: import the names from hubcompat")
            return updated_node
        self.changed(original_node, f"from {full} import -> from hubcompat import")
        return updated_node.with_changes(module=cst.Name("hubcompat"))
