"""pyupgrade-style helpers: ``check_transformed(Cmd, before, after)``, ``check_noop(Cmd, src)``.

Both dedent their strings, parse (and compile) the expected output, so a test
cannot expect invalid Python, and run the codemod twice (idempotence).
"""

from __future__ import annotations

import textwrap
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext

from hubcompat.codemods._keys import EVENTS_KEY


def run(command: type, source: str) -> tuple[str, list[dict[str, Any]]]:
    context = CodemodContext(filename="example.py")
    tree = command(context).transform_module(cst.parse_module(source))
    return tree.code, context.scratch.get(EVENTS_KEY, [])


def check_transformed(command: type, before: str, after: str) -> list[dict[str, Any]]:
    before, after = textwrap.dedent(before), textwrap.dedent(after)
    cst.parse_module(after)
    compile(after, "expected.py", "exec")
    got, events = run(command, before)
    assert got == after, f"--- got ---\n{got}\n--- expected ---\n{after}"
    again, _ = run(command, got)
    assert again == got, f"not idempotent:\n{again}"
    return events


def check_noop(command: type, source: str) -> list[dict[str, Any]]:
    source = textwrap.dedent(source)
    got, events = run(command, source)
    assert got == source, f"expected no change, got:\n{got}"
    return events
