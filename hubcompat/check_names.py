"""The names of ``hubcompat check``'s checks and results, without TensorFlow.

The CLI (:mod:`hubcompat.commands.check`) and the pytest plugin
(:mod:`hubcompat.testing`) parse ``--skip`` and name their test items before
TensorFlow is imported; :mod:`hubcompat.checks` runs the checks.
"""

from __future__ import annotations

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"

# Every check group, in the order run_checks runs them (a group's checks are
# named "<group>[<signature>]", e.g. "call[default]").
GROUPS = ("load", "call", "reference", "keras", "reexport", "training")
# The groups --skip may name.
SKIPPABLE = ("keras", "reexport", "training")
