"""``keras.models.load_model`` finds ``hubcompat>KerasLayer`` after a plain ``import hubcompat``.

A saved model names the layer by its registered name, ``hubcompat>KerasLayer``, and
Keras (Keras 3, Keras 2 and tf-keras alike) looks that name up in its registry of
custom objects; it imports the config's ``module`` only for Keras' own packages.
``hubcompat.keras_layer`` registers the class when it is imported, but it imports
TensorFlow, and ``import hubcompat`` must stay cheap: so a model saved in one
process did not reload in the next unless ``hubcompat.KerasLayer`` was touched first
(issue 21).

``import hubcompat`` therefore puts a stand-in under that name into the registry of
each Keras: at once for a Keras already imported, else just after it is imported (a
``sys.meta_path`` finder that watches for ``keras`` and ``tf_keras``, imports
nothing itself, and gives the module its own loader back). The stand-in's
``from_config`` imports the real class, which replaces the stand-in in the registry,
and builds the layer. Standard library only: this module runs at ``import hubcompat``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import logging
import sys
import threading
from types import ModuleType
from typing import Any

REGISTERED_NAME = "hubcompat>KerasLayer"
# The Keras packages whose registry gets the stand-in: Keras 3 (or Keras 2 on TF < 2.16)
# and tf-keras (TF_USE_LEGACY_KERAS=1).
KERAS_PACKAGES = ("keras", "tf_keras")

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_waiting: set[str] = set()


class KerasLayerStandIn:
    """What Keras finds under ``hubcompat>KerasLayer`` until ``hubcompat.keras_layer`` is
    imported: builds the real layer from its config."""

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        # custom_objects: Keras 2's legacy loaders pass it when from_config takes it.
        from hubcompat.keras_layer import KerasLayer

        return KerasLayer.from_config(config)


def _register(keras: ModuleType) -> None:
    """Puts the stand-in into ``keras``' registry, unless the real class is there."""
    try:
        utils = getattr(keras, "utils", None) or importlib.import_module(
            f"{keras.__name__}.utils")
        custom_objects = utils.get_custom_objects()
        custom_objects.setdefault(REGISTERED_NAME, KerasLayerStandIn)
    except Exception as e:  # never break the user's `import keras`
        _log.debug("hubcompat: could not register %s with %s: %s",
                   REGISTERED_NAME, keras.__name__, e)


class _RegisteringLoader(importlib.abc.Loader):
    """Runs a Keras package's own loader, then registers the stand-in in it."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its real loader (importlib.resources and pkgutil ask it).
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        with _lock:
            _waiting.discard(module.__name__)
            if not _waiting and _WATCHER in sys.meta_path:
                sys.meta_path.remove(_WATCHER)
        _register(module)


class _KerasImportWatcher(importlib.abc.MetaPathFinder):
    """Hands out :class:`_RegisteringLoader` for the Keras packages not imported yet."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        # Still waiting until the module runs: find_spec is also how a package asks
        # whether Keras is installed (TensorFlow does), without importing it.
        if fullname not in _waiting:
            return None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _RegisteringLoader(spec.loader)
        return spec


_WATCHER = _KerasImportWatcher()


def install() -> None:
    """Registers the stand-in in each Keras now or when it is imported (idempotent)."""
    with _lock:
        for name in KERAS_PACKAGES:
            module = sys.modules.get(name)
            if module is None:
                _waiting.add(name)
            elif not getattr(module.__spec__, "_initializing", False):
                _register(module)
        if _waiting and _WATCHER not in sys.meta_path:
            sys.meta_path.insert(0, _WATCHER)
