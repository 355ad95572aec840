"""Find the codemods: every ``HubCodemod`` subclass in ``hubcompat.codemods``.

Adding a rewrite is adding a module to ``codemods/``; ``--only``, ``--skip``
and ``--list-codemods`` come from here.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports libcst only when it runs codemods
    from hubcompat.codemods._base import HubCodemod

TARGETS = ("hubcompat", "modern")


@cache
def all_codemods() -> tuple[type[HubCodemod], ...]:
    """Every codemod class, in the order they run."""
    import hubcompat.codemods as package
    from hubcompat.codemods._base import HubCodemod

    found: list[type[HubCodemod]] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, HubCodemod)
                and value is not HubCodemod
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return tuple(sorted(found, key=lambda c: (c.ORDER, c.name())))


def by_name() -> dict[str, type[HubCodemod]]:
    return {c.name(): c for c in all_codemods()}


def select(
    target: str, only: list[str] | None = None, skip: list[str] | None = None
) -> list[type[HubCodemod]]:
    """The codemods for ``target``, filtered by ``--only`` / ``--skip`` (names checked)."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    known = by_name()
    for name in [*(only or []), *(skip or [])]:
        if name not in known:
            raise ValueError(
                f"unknown codemod {name!r}; see --list-codemods (known: {', '.join(known)})"
            )
    chosen = [c for c in all_codemods() if target in c.TARGETS]
    if only:
        chosen = [c for c in chosen if c.name() in only]
    if skip:
        chosen = [c for c in chosen if c.name() not in skip]
    return chosen
