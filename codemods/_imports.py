"""``from tensorflow_hub import Module`` -> ``from tensorflow_hub import load`` when the
rewrite renamed every use of the imported name.

Speed: libcst's ``AddImportsVisitor`` and ``RemoveImportsVisitor`` each run a
scope analysis of the whole module after the transform (in ``from
tensorflow_hub import`` files they were a third of a ``--target modern``
run). When ``_names.FileNames`` shows the old name bound only by one
module-level ``from <hub> import <old>`` statement of that one name, and every
read of it in the file was renamed, the result of the two helpers is that
statement with ``<old>`` replaced by ``<new>``: done in place at the end of the
transform. Anything else (an alias, several names in the statement, uses left,
imports inside functions, ``<new>`` already imported) goes through libcst's
helpers as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst
from libcst.helpers import get_full_name_for_node

from hubcompat.codemods._names import file_names, hub_module_of

if TYPE_CHECKING:
    from hubcompat.codemods._base import HubCodemod


@dataclass(frozen=True)
class Rename:
    """One use ``<old>(...)`` of a name imported from ``module`` became ``<new>(...)``."""

    module: str
    old: str
    new: str
    node: cst.Name  # the use, in the original tree


def renamed_import(codemod: HubCodemod, original: cst.Name, new: str) -> None:
    """Record that the use ``original`` of an imported hub name now reads ``new``."""
    codemod.renames.append(Rename(hub_module_of(codemod, original), original.value, new, original))


def apply(codemod: HubCodemod, module: cst.Module) -> cst.Module:
    """``module`` with the recorded renames' imports edited (or scheduled with libcst)."""
    if not codemod.renames:
        return module
    names = file_names(codemod)
    by_old: dict[tuple[str, str, str], list[Rename]] = {}
    for rename in codemod.renames:
        by_old.setdefault((rename.module, rename.old, rename.new), []).append(rename)
    body = list(module.body)
    for (hub_module, old, new), renames in by_old.items():
        at = _single_import(body, hub_module, old)
        if (
            at is not None
            and names.exact
            and old in names.once
            and names.hub.get(old) == f"{hub_module}.{old}"
            and new not in names.hub_bound
            and len(renames) == names.loads.get(old, 0)
        ):
            line = body[at]
            assert isinstance(line, cst.SimpleStatementLine)
            statement = line.body[0]
            assert isinstance(statement, cst.ImportFrom) and not isinstance(
                statement.names, cst.ImportStar
            )
            alias = statement.names[0].with_changes(name=cst.Name(new))
            body[at] = line.with_changes(body=[statement.with_changes(names=[alias])])
            continue
        for rename in renames:
            codemod.add_needed_import(hub_module, new)
            codemod.remove_unused_import_by_node(rename.node)
    codemod.renames.clear()
    return module.with_changes(body=body)


def _single_import(body: Sequence[cst.BaseStatement], module: str, name: str) -> int | None:
    """Index of the top-level ``from <module> import <name>`` statement (one name, no alias)."""
    for index, line in enumerate(body):
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            continue
        statement = line.body[0]
        if (
            isinstance(statement, cst.ImportFrom)
            and not statement.relative
            and statement.module is not None
            and get_full_name_for_node(statement.module) == module
            and not isinstance(statement.names, cst.ImportStar)
            and len(statement.names) == 1
            and statement.names[0].asname is None
            and get_full_name_for_node(statement.names[0].name) == name
        ):
            return index
    return None
