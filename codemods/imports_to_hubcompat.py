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
tensorflow_hub.tools``, ``from tensorflow_hub import test_utils``) and of names
hubcompat does not have get a TODO naming them: the table of tensorflow_hub
0.15.0's and 0.16.1's modules and public names is data (``_hub_names.py``,
recorded from the genuine wheels by ``tests/migrate/record_hub_modules.py``).
Runs last, since the other codemods match ``tensorflow_hub`` names.
"""

from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node

from hubcompat.codemods._base import BOTH, HubCodemod
from hubcompat.codemods._hub_names import MODULES, PUBLIC, SOURCE_ONLY

#: tensorflow_hub's modules (0.15.0 and 0.16.1 wheels, and source-only ones): hubcompat
#: has none of them. Public names hubcompat has: ``_hub_names.PUBLIC``.
SUBMODULES = frozenset(
    {m.split(".")[0] for names in MODULES.values() for m in names} | set(SOURCE_ONLY)
)


def _has(name: str) -> bool:
    """Does hubcompat have tensorflow_hub's public name ``name`` (dunders: ``__version__``)?"""
    return name in PUBLIC or (name.startswith("__") and name.endswith("__"))


def _todo_names(module: str, names: list[str]) -> str:
    spelled = ", ".join(f"{module}.{n}" for n in names)
    what = "modules of tensorflow_hub" if all(n in SUBMODULES for n in names) else "names"
    return (
        f"from {module} import {', '.join(names)}: hubcompat has no {spelled} "
        f"({what} hubcompat does not provide); import what you use from hubcompat's "
        "public names instead"
    )


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
                    f"import {full}: hubcompat has no such submodule ({full}); "
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
            imported = [get_full_name_for_node(a.name) or "" for a in updated_node.names]
            missing = [n for n in imported if not _has(n)]
            if missing:
                self.todo(original_node, _todo_names(full, missing))
                return updated_node
        elif full != "tensorflow_hub":
            self.todo(original_node, f"from {full} import *: import the names from hubcompat")
            return updated_node
        self.changed(original_node, f"from {full} import -> from hubcompat import")
        return updated_node.with_changes(module=cst.Name("hubcompat"))
