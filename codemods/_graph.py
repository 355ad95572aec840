"""Is a file TF1 graph code (Sessions, collections, placeholders, Estimators)?

There ``hub.Module`` must stay (it builds ops into the graph a Session runs),
so the modern rewrites stop. Decided from ``ast`` on the whole file: import
aliases plus attribute chains, matched against ``GRAPH_PREFIXES``. The runner
decides once per file (``hubcompat.migrate.prune``) and passes the answer in
the context's scratch (``GRAPH_KEY``); under ``libcst.tool`` a codemod asks
``is_graph_code`` here, which reads the module's own code.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from hubcompat.codemods._keys import GRAPH_KEY

if TYPE_CHECKING:
    from hubcompat.codemods._base import HubCodemod

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


def graph_code(module: ast.Module) -> bool:
    """Does the module use TF1 graph machinery (names resolved through its imports)?"""
    aliases: dict[str, str] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if f"{alias.name}.".startswith(GRAPH_PREFIXES):
                    return True
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.partition(".")[0]
                    aliases[head] = head
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}" if alias.name != "*" else node.module
                if f"{full}.".startswith(GRAPH_PREFIXES):
                    return True
                aliases[alias.asname or alias.name] = full
    if not any(a.startswith(("tensorflow", "tensorflow_estimator")) for a in aliases.values()):
        return False
    for node in ast.walk(module):
        if isinstance(node, ast.Attribute | ast.Name):
            name = _dotted(node, aliases)
            if name and name.startswith(GRAPH_PREFIXES):
                return True
    return False


def _dotted(node: Any, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


def is_graph_code(codemod: HubCodemod) -> bool:
    """Graph code anywhere in the file the codemod works on."""
    scratch = codemod.context.scratch
    if GRAPH_KEY not in scratch:
        try:
            scratch[GRAPH_KEY] = graph_code(ast.parse(codemod.module.code))
        except (SyntaxError, ValueError):
            scratch[GRAPH_KEY] = False
    return bool(scratch[GRAPH_KEY])
