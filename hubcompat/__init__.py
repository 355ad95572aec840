"""hubcompat: TF1 Hub modules and tensorflow_hub code on modern TensorFlow.

``import hubcompat`` is cheap: TensorFlow is imported only when something that
needs it is first used (see ``_LAZY`` below).
"""

from __future__ import annotations

import importlib
from typing import Any

from hubcompat import _srctree, errors
from hubcompat.formats import ModelFormat, detect_format

__version__ = "0.1.0"

_srctree.install()  # hubcompat.codemods from a source checkout (see _srctree.py)

# public name -> module that defines it; each is imported on first access.
_LAZY: dict[str, str] = {
    "load": "hubcompat.loader",
}

__all__ = ["ModelFormat", "__version__", "detect_format", "errors", *_LAZY]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'hubcompat' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
