"""TODOs for TF1 Hub code that has no safe TF2 rewrite.

Why: some of the TF1 API has no TF2 counterpart, and a wrong automatic rewrite
is worse than none. Each occurrence is left unchanged (it keeps running on
hubcompat's legacy API) with a ``# TODO(hubcompat): ...`` comment and a report
entry, never silently:

- module creation and export: ``create_module_spec``, ``add_signature``,
  ``attach_message``, ``attach_image_module_info``, ``Module.export``,
  ``LatestModuleExporter`` (Estimator exporter), ``register_module_for_export``,
  ``eval_function_for_module``: write a TF2 SavedModel with
  ``tf.saved_model.save`` instead;
- ``hub.Module`` in graph code (Sessions, collections, placeholders,
  Estimators), which ``module_to_load`` does not touch.
"""

from __future__ import annotations

import libcst as cst

from hubcompat.codemods._base import MODERN, HubCodemod
from hubcompat.codemods._bindings import assigned_value
from hubcompat.codemods._graph import is_graph_code
from hubcompat.codemods._keys import GRAPH_KEY, TEXT_KEY
from hubcompat.codemods._names import hub_attr, hub_call_attr
from hubcompat.codemods._syntax import calls_in

EXPORT = (
    "TF1 Hub module creation/export has no TF2 equivalent: export a TF2 SavedModel "
    "with tf.saved_model.save (kept running on hubcompat)"
)
NO_TF2 = {
    "create_module_spec": EXPORT,
    "create_module_spec_from_saved_model": EXPORT,
    "add_signature": EXPORT,
    "attach_message": EXPORT,
    "attach_image_module_info": EXPORT,
    "register_module_for_export": EXPORT,
    "LatestModuleExporter": "hub.LatestModuleExporter (Estimator exporter) has no TF2 equivalent: "
    "save a TF2 SavedModel with tf.saved_model.save (kept running on hubcompat)",
    "eval_function_for_module": "eval_function_for_module runs a TF1 Session: "
    "call hub.load(handle).signatures[...] eagerly instead",
}
GRAPH_MODULE = (
    "hub.Module in graph code (Session/collections/Estimator): kept, it runs on hubcompat; "
    "move to hub.load / hub.KerasLayer together with the Session code"
)


class NoEquivalentCommand(HubCodemod):
    DESCRIPTION = "TODO comments for module export/creation, exporters and graph-mode hub.Module."
    TARGETS = MODERN
    POSITIONS = True
    ORDER = 60
    TRIGGERS = (*NO_TF2, "Module")
    HUB_NAMES = (*NO_TF2, "Module")

    def needed(self) -> bool:
        # hub.Module alone matters only in graph code (the runner knows whether the
        # file is, without analysing it); the other cases name their trigger.
        if GRAPH_KEY not in self.context.scratch or self.context.scratch[GRAPH_KEY]:
            return True
        text = self.context.scratch.get(TEXT_KEY, "")
        return not text or ".export(" in text or any(name in text for name in NO_TF2)

    def visit_Module(self, node: cst.Module) -> bool:
        # The TODOs are found on the original tree (calls in source order, as the
        # visitor meets them); the walk then enters only the statements holding them.
        self._todos: dict[cst.Call, str] = {}
        for call in calls_in(node):
            message = self._message(call)
            if message is not None:
                self._todos[call] = message
        return self.walk_only_to(self._todos)

    def visit_Call(self, node: cst.Call) -> None:
        message = self._todos.get(node)
        if message is not None:
            self.todo(node, message)

    def _message(self, node: cst.Call) -> str | None:
        name = hub_attr(self, node.func)
        if name in NO_TF2:
            return NO_TF2[name]
        if name == "Module" and is_graph_code(self):
            return GRAPH_MODULE
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "export"
            and hub_call_attr(self, assigned_value(self, node.func.value)) == "Module"
        ):
            return EXPORT
        return None
