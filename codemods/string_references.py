"""TODOs for ``"tensorflow_hub..."`` strings passed to calls (mock targets, imports by name).

Why: after the migration the code imports ``hubcompat``, so
``mock.patch("tensorflow_hub.Module")`` patches a module nobody uses any more
(the test then runs the real thing, or fails far away), and
``importlib.import_module("tensorflow_hub")`` still needs tensorflow_hub.
Which string is right (``"hubcompat.Module"``, a ``hub.load`` mock, ...)
depends on the test, so each such string is left unchanged with a TODO.
"""

from __future__ import annotations

import re

import libcst as cst

from hubcompat.codemods._base import BOTH, HubCodemod
from hubcompat.codemods._syntax import literal_string

_REFERENCE = re.compile(r"^tensorflow_hub(\.[A-Za-z_]\w*)*$")


class StringReferencesCommand(HubCodemod):
    DESCRIPTION = "TODO for 'tensorflow_hub.X' strings passed to calls (mock.patch targets etc.)."
    TARGETS = BOTH
    ORDER = 10
    TRIGGERS = ('"tensorflow_hub', "'tensorflow_hub")

    def visit_Call(self, node: cst.Call) -> None:
        for arg in node.args:
            value = literal_string(arg.value)
            if value is not None and _REFERENCE.match(value):
                self.todo(
                    node,
                    f"string reference {value!r} still names tensorflow_hub "
                    "(mock target / import by name): point it at hubcompat or at the new calls",
                )
