"""hubcompat: TF1 Hub modules and tensorflow_hub code on modern TensorFlow.

``import hubcompat`` is cheap: TensorFlow is imported only when something that
needs it is first used (see ``_LAZY`` below). Its one side effect: Keras, once
imported, knows ``hubcompat>KerasLayer``, so ``keras.models.load_model`` reloads a
saved model holding a ``KerasLayer`` (``hubcompat/_keras_registry.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hubcompat import _keras_registry, errors
from hubcompat._version import __version__
from hubcompat.formats import ModelFormat, detect_format

# public name -> module that defines it; each is imported on first access.
_LAZY: dict[str, str] = {
    "load": "hubcompat.loader",
    "KerasLayer": "hubcompat.keras_layer",
    "resolve": "hubcompat.resolvers",
    # python -m hubcompat inspect / convert (docs/inspect-and-convert.md).
    "describe": "hubcompat.inspection",
    "convert": "hubcompat.conversion",
    # python -m hubcompat check and the pytest plugin (docs/checking.md).
    "run_checks": "hubcompat.checks",
    "record_reference": "hubcompat.checks",
    # The tensorflow_hub 0.15 TF1 API (hubcompat/legacy, docs/legacy-api.md).
    "Module": "hubcompat.legacy.module",
    "eval_function_for_module": "hubcompat.legacy.module",
    "ModuleSpec": "hubcompat.legacy.module_spec",
    "load_module_spec": "hubcompat.legacy.module_spec",
    "create_module_spec_from_saved_model": "hubcompat.legacy.module_spec",
    "create_module_spec": "hubcompat.legacy.builder",
    "add_signature": "hubcompat.legacy.builder",
    "attach_message": "hubcompat.legacy.builder",
    "ImageModuleInfo": "hubcompat.legacy.image_util",
    "attach_image_module_info": "hubcompat.legacy.image_util",
    "get_expected_image_size": "hubcompat.legacy.image_util",
    "get_num_image_channels": "hubcompat.legacy.image_util",
    "text_embedding_column": "hubcompat.legacy.feature_columns",
    "text_embedding_column_v2": "hubcompat.legacy.feature_columns",
    "sparse_text_embedding_column": "hubcompat.legacy.feature_columns",
    "image_embedding_column": "hubcompat.legacy.feature_columns",
    "register_module_for_export": "hubcompat.legacy.exporter",
    "LatestModuleExporter": "hubcompat.legacy.exporter",
}

if TYPE_CHECKING:  # what __getattr__ imports on first use, spelled out for type checkers
    # (tests/test_lazy_names.py checks that they are _LAZY); `X as X` marks a re-export.
    from hubcompat.checks import record_reference as record_reference
    from hubcompat.checks import run_checks as run_checks
    from hubcompat.conversion import convert as convert
    from hubcompat.inspection import describe as describe
    from hubcompat.keras_layer import KerasLayer as KerasLayer
    from hubcompat.legacy.builder import add_signature as add_signature
    from hubcompat.legacy.builder import attach_message as attach_message
    from hubcompat.legacy.builder import create_module_spec as create_module_spec
    from hubcompat.legacy.exporter import LatestModuleExporter as LatestModuleExporter
    from hubcompat.legacy.exporter import register_module_for_export as register_module_for_export
    from hubcompat.legacy.feature_columns import image_embedding_column as image_embedding_column
    from hubcompat.legacy.feature_columns import (
        sparse_text_embedding_column as sparse_text_embedding_column,
    )
    from hubcompat.legacy.feature_columns import text_embedding_column as text_embedding_column
    from hubcompat.legacy.feature_columns import (
        text_embedding_column_v2 as text_embedding_column_v2,
    )
    from hubcompat.legacy.image_util import ImageModuleInfo as ImageModuleInfo
    from hubcompat.legacy.image_util import attach_image_module_info as attach_image_module_info
    from hubcompat.legacy.image_util import get_expected_image_size as get_expected_image_size
    from hubcompat.legacy.image_util import get_num_image_channels as get_num_image_channels
    from hubcompat.legacy.module import Module as Module
    from hubcompat.legacy.module import eval_function_for_module as eval_function_for_module
    from hubcompat.legacy.module_spec import ModuleSpec as ModuleSpec
    from hubcompat.legacy.module_spec import (
        create_module_spec_from_saved_model as create_module_spec_from_saved_model,
    )
    from hubcompat.legacy.module_spec import load_module_spec as load_module_spec
    from hubcompat.loader import load as load
    from hubcompat.resolvers import resolve as resolve

_keras_registry.install()

__all__ = ["ModelFormat", "__version__", "detect_format", "errors", *_LAZY]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'hubcompat' has no attribute {name!r}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name is None or e.name.split(".")[0] != "tensorflow":
            raise
        from hubcompat.preflight import tensorflow_missing

        raise tensorflow_missing(f"hubcompat.{name}") from e
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
