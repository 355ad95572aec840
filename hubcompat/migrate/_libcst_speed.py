"""Per-class caches for two libcst start-up costs that dominate on small modules.

The runner shows each codemod only the few statements that matter (``prune``),
so libcst's fixed costs per visitor instance, not the analysis, became the
bulk of a run: every ``MatcherDecoratable*`` visitor (libcst's own import
helpers included) scans ``dir(self)`` three times for matcher decorators
(~40 ms per instance), and every metadata provider runs ``inspect.getmembers``
on itself per module. Both depend only on the class, so the names found are
cached per class and the bound methods looked up per instance: the results
are the same dicts libcst builds. Installed by ``hubcompat.migrate.transform``
(the migrate pipeline), idempotently.
"""

from __future__ import annotations

import inspect
from typing import Any

from libcst import BatchableCSTVisitor
from libcst.matchers import _visitors as matcher_visitors

_NAMES: dict[tuple[type, str], tuple[str, ...]] = {}


def _decorated(cls: type, attr: str) -> tuple[str, ...]:
    """Names of the attributes of ``cls`` (not properties) that carry matcher ``attr``."""
    key = (cls, attr)
    names = _NAMES.get(key)
    if names is None:
        found = []
        for name in dir(cls):
            value = inspect.getattr_static(cls, name, None)
            if isinstance(value, property):
                continue
            if getattr(value, attr, None):
                found.append(name)
        names = _NAMES[key] = tuple(found)
    return names


def _gather_matchers(obj: object) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for attr in (matcher_visitors.VISIT_POSITIVE_MATCHER_ATTR,
                 matcher_visitors.VISIT_NEGATIVE_MATCHER_ATTR):  # fmt: skip
        for name in _decorated(type(obj), attr):
            for matcher in getattr(getattr(obj, name), attr, []):
                out[matcher] = None
    return out


def _constructed(attr: str, kind: str) -> Any:
    def gather(obj: object) -> dict[Any, tuple[Any, ...]]:
        out: dict[Any, tuple[Any, ...]] = {}
        for name in _decorated(type(obj), attr):
            func = getattr(obj, name)
            if not inspect.ismethod(func):
                continue
            matchers = getattr(func, attr, [])
            if matchers:
                matcher_visitors._assert_not_concrete(kind, func)
            for matcher in matchers:
                out[matcher] = (*out.get(matcher, ()), func)
        return out

    return gather


_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}


def _get_visitors(self: BatchableCSTVisitor) -> dict[str, Any]:
    names = _VISITOR_NAMES.get(type(self))
    if names is None:
        names = _VISITOR_NAMES[type(self)] = tuple(
            name
            for name, function in inspect.getmembers(type(self), inspect.isfunction)
            if name.startswith(("visit_", "leave_")) and not getattr(function, "_is_no_op", False)
        )
    return {name: getattr(self, name) for name in names}


def install() -> None:
    matcher_visitors._gather_matchers = _gather_matchers
    matcher_visitors._gather_constructed_visit_funcs = _constructed(
        matcher_visitors.CONSTRUCTED_VISIT_MATCHER_ATTR, "visit"
    )
    matcher_visitors._gather_constructed_leave_funcs = _constructed(
        matcher_visitors.CONSTRUCTED_LEAVE_MATCHER_ATTR, "leave"
    )
    BatchableCSTVisitor.get_visitors = _get_visitors  # type: ignore[method-assign]
