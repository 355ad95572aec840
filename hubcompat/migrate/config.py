"""``[tool.hubcompat]`` settings from the nearest ``pyproject.toml``.

Keys (all optional; command-line flags win): ``target`` ("hubcompat" or
"modern"), ``only`` and ``skip`` (codemod names), ``exclude`` (folder names
to leave out), ``jobs`` (processes), ``requirement`` (what tensorflow-hub
requirements become, like ``--requirement``). Unknown keys are ignored, since other
hubcompat tools may share the table.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_TYPES: dict[str, type] = {
    "target": str, "only": list, "skip": list, "exclude": list, "jobs": int, "requirement": str,
}  # fmt: skip


def find_pyproject(paths: Iterable[str | os.PathLike[str]]) -> Path | None:
    """The ``pyproject.toml`` closest above the common folder of ``paths`` (or the cwd)."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    start = Path(os.path.commonpath(absolute))
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(pyproject: Path | None) -> dict[str, Any]:
    """The ``[tool.hubcompat]`` table, type-checked; ``{}`` when there is none."""
    if pyproject is None:
        return {}
    try:
        with open(pyproject, "rb") as handle:
            table = tomllib.load(handle).get("tool", {}).get("hubcompat", {})
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{pyproject}: invalid TOML ({exc}); fix it or pass --no-config") from None
    settings = {}
    for key, kind in _TYPES.items():
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, kind) or (
            isinstance(value, list) and not all(isinstance(v, str) for v in value)
        ):
            raise ValueError(
                f"{pyproject}: [tool.hubcompat] {key} must be a {kind.__name__}"
                f"{' of strings' if kind is list else ''}, got {value!r}"
            )
        settings[key] = value
    return settings
