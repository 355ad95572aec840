"""Python text -> codemods -> new text, plus the compile check of the result.

Results are values: ``run_codemods`` returns the new text and the report
events, or raises ``MigrationError`` (a ``SyntaxError`` / ``ValueError``) that
the runner turns into a "skipped" entry.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext

from hubcompat.codemods._common import EVENTS_KEY
from hubcompat.errors import MigrationError, UnparsableSourceError

ALLOW_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


def parse(text: str, filename: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise UnparsableSourceError(
            f"{filename}: not Python 3 that libcst can parse "
            f"({exc.message.split(': expected')[0].strip()}); "
            "left unchanged, port it to Python 3 first"
        ) from None


def run_codemods(
    text: str, codemods: Sequence[type], filename: str
) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``text``, run the codemods whose triggers occur in it; the new text and events."""
    tree = parse(text, filename)
    events: list[dict[str, Any]] = []
    code, modified = text, False
    for command in codemods:
        if not command.wants(code):
            continue
        # A fresh context per codemod: libcst keeps scheduled import additions in
        # the scratch dict, and a shared one would replay them in later codemods.
        context = CodemodContext(filename=filename, scratch={EVENTS_KEY: events})
        instance = command(context)
        try:
            tree = instance.transform_module(tree)
        except Exception as exc:  # a codemod bug must not stop a whole-tree run
            raise MigrationError(
                f"{filename}: codemod {command.name()} failed ({type(exc).__name__}: {exc}); "
                "left unchanged, please report this file"
            ) from exc
        if getattr(instance, "modified", True):
            code, modified = tree.code, True
    return (code if modified else text), events


def check_compiles(text: str, filename: str, flags: int = 0) -> None:
    """Refuse to write text the interpreter would not accept."""
    try:
        compile(text, filename, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise MigrationError(
            f"{filename}: the rewritten code does not compile ({exc}); left unchanged, "
            "please report this file"
        ) from None
