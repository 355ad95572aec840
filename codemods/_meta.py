"""libcst metadata on demand: codemods declare no METADATA_DEPENDENCIES, so nothing runs
up front; a helper that needs a provider resolves it here, once per module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst._metadata_dependent import LazyValue

if TYPE_CHECKING:
    from libcst.codemod import Codemod


def metadata(codemod: Codemod, provider: type, node: cst.CSTNode, default: Any = None) -> Any:
    """``provider``'s value for ``node`` in the module being transformed (or ``default``)."""
    wrapper = codemod.context.wrapper
    if wrapper is None:
        return default
    value = wrapper.resolve(provider).get(node, default)
    return value() if isinstance(value, LazyValue) else value
