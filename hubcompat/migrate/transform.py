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

from hubcompat.codemods._base import MODERN, HubCodemod
from hubcompat.codemods._keys import EVENTS_KEY, GRAPH_KEY, LINES_KEY, NAMES_KEY, TEXT_KEY
from hubcompat.codemods._names import FileNames, lazy
from hubcompat.errors import MigrationError, UnparsableSourceError
from hubcompat.migrate import _libcst_speed
from hubcompat.migrate.prune import Pruner

ALLOW_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)

_libcst_speed.install()


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
    text: str, codemods: Sequence[type[HubCodemod]], filename: str
) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``text`` once, run the codemods whose triggers occur in it; the new text and events.

    Each codemod that analyses names sees only the statements that can matter
    to it (``prune``) and its result is spliced back, so the costly analysis
    covers a fraction of a big file; the code is generated once, at the end.
    The file's bindings (``_names.FileNames``) are read once, from ``ast``, and
    shared by the codemods until one of them changes the tree.
    """
    events: list[dict[str, Any]] = []
    for command in [c for c in codemods if c.TEXT_LEVEL]:  # text edits before the parse
        if command.wants(text):
            new, found = command.rewrite_text(text)
            events += found
            text = new
    codemods = [c for c in codemods if not c.TEXT_LEVEL]
    if not any(c.wants(text) for c in codemods):  # TF1 code without hub: no libcst parse
        return text, events
    tree = original = parse(text, filename)
    pruner: Pruner | None = None
    cutter: Pruner | None = None  # the first pruner: the file's text of each statement
    prune = True  # until Pruner.build says the spans do not match
    modified = False
    added: list[Any] = []  # rewritten statements (or their code), for later triggers
    names = None  # the FileNames of `tree` (None: make it when asked)
    for command in codemods:
        if not command.wants(text) and not (
            added and command.wants(_with_code(text, added, cutter))
        ):
            continue
        if prune and pruner is None:
            pruner = cutter = Pruner.build(text, original)
            prune = pruner is not None
        # A fresh context per codemod: libcst keeps scheduled import additions in
        # the scratch dict, and a shared one would replay them in later codemods.
        scratch: dict[str, Any] = {EVENTS_KEY: [], TEXT_KEY: text}
        if pruner is not None and command.TARGETS == MODERN:  # they ask is_graph_code()
            scratch[GRAPH_KEY] = pruner.graph_code
        picked: list[int] | None = None  # the statements a PRUNE = False codemod sees
        if pruner is not None and command.PRUNE:
            small = pruner.small(tree)
            scratch[LINES_KEY] = pruner
        elif cutter is not None and not command.PRUNE:
            picked = _mentioning(cutter.texts_of(tree), command.TRIGGERS)
            small = tree if len(picked) == len(tree.body) else _subset(tree, picked)
        else:
            small = tree
        if names is None:
            names = lazy(_names_of(tree, original, pruner, cutter))
        scratch[NAMES_KEY] = names
        context = CodemodContext(filename=filename, scratch=scratch)
        instance = command(context)
        try:
            result = instance.transform_module(small)
        except Exception as exc:  # a codemod bug must not stop a whole-tree run
            raise MigrationError(
                f"{filename}: codemod {command.name()} failed ({type(exc).__name__}: {exc}); "
                "left unchanged, please report this file"
            ) from exc
        events += scratch[EVENTS_KEY]  # lines of the file (LINES_KEY)
        if not getattr(instance, "modified", True):
            continue
        modified, names = True, None
        if small is tree:
            tree = result
            continue
        added.append(result)
        if picked is not None:
            tree = _put_back(tree, picked, small, result) or command(
                CodemodContext(filename=filename, scratch={EVENTS_KEY: []})
            ).transform_module(tree)
            continue
        spliced = pruner.splice(tree, small, result)  # type: ignore[union-attr]
        if spliced is None:  # the codemod added or removed statements: whole module now
            spliced = command(CodemodContext(filename=filename, scratch={EVENTS_KEY: []}))
            spliced = spliced.transform_module(tree)
            pruner, prune = None, False
        tree = spliced
    if not modified:
        return text, events  # with the text-level edits, if any
    return (cutter.code(tree, original) if cutter is not None else tree.code), events


def _names_of(
    tree: cst.Module, original: cst.Module, pruner: Pruner | None, cutter: Pruner | None
) -> Any:
    """How to make the FileNames of ``tree``: from the pruner's ``ast`` of the file as
    read, or from the code of a tree an earlier codemod changed."""
    if pruner is not None and tree is original:
        return pruner.names
    if cutter is not None:
        return lambda: FileNames.from_text(cutter.code(tree, original))
    return lambda: FileNames.from_text(tree.code)


def _mentioning(texts: list[str | None], triggers: Sequence[str]) -> list[int]:
    """Indices of the statements that are new (None) or whose text holds a trigger; the
    first statement always (a TODO there reads the module header)."""
    return [
        i
        for i, t in enumerate(texts)
        if not i or t is None or any(trigger in t for trigger in triggers)
    ]


def _subset(tree: cst.Module, picked: list[int]) -> cst.Module:
    return tree.with_changes(body=[tree.body[i] for i in picked])


def _put_back(
    tree: cst.Module, picked: list[int], small: cst.Module, result: cst.Module
) -> cst.Module | None:
    """``tree`` with the ``picked`` statements replaced by ``result``'s (same number and
    header), else None."""
    if (
        len(result.body) != len(picked)
        or len(result.header) != len(small.header)
        or not all(
            new.deep_equals(old) for new, old in zip(result.header, small.header, strict=True)
        )
    ):
        return None
    body = list(tree.body)
    for index, statement in zip(picked, result.body, strict=True):
        body[index] = statement
    return tree.with_changes(body=body, footer=result.footer)


def _with_code(text: str, added: list[Any], cutter: Pruner | None) -> str:
    """``text`` plus the code of the rewritten statements (generated once, when asked)."""
    for index, item in enumerate(added):
        if not isinstance(item, str):
            added[index] = cutter.new_code(item) if cutter is not None else item.code
    return "\n".join([text, *added])


def check_compiles(text: str, filename: str, flags: int = 0) -> None:
    """Refuse to write text the interpreter would not accept."""
    try:
        compile(text, filename, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise MigrationError(
            f"{filename}: the rewritten code does not compile ({exc}); left unchanged, "
            "please report this file"
        ) from None
