"""``hubcompat.load``: any model handle to a TF2 object."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from hubcompat import errors, preflight
from hubcompat.formats import ModelFormat, detect_format, is_remote
from hubcompat.resolvers import resolve
from hubcompat.resolvers.registry import checked_handle

if TYPE_CHECKING:
    from hubcompat.tf1.adapter import TF1ModuleAdapter

#: A tag set as ``load`` and ``KerasLayer`` take it: one tag, several, or None (the default).
Tags: TypeAlias = "str | Iterable[str] | None"


def load(handle: str | os.PathLike[str], tags: Tags = None, options: Any = None) -> Any:
    """Loads a TF1 Hub module or a SavedModel as a callable TF2 object.

    - A TF2 SavedModel loads as ``tf.saved_model.load(path, tags, options)``.
    - A TF1 Hub module (or TF1 SavedModel) becomes a
      :class:`~hubcompat.tf1.adapter.TF1ModuleAdapter`: callable like
      ``hub.Module`` (``m(x)``, ``m(x, signature=..., as_dict=True)``), with
      ``variables``, ``trainable_variables``, ``regularization_losses``,
      ``signatures`` and ``training=True`` running its ``{"train"}`` graph.

    ``handle`` is anything :func:`hubcompat.resolve` accepts (a folder, an
    archive, a URL, a tfhub.dev or Kaggle handle, ...). ``tags`` picks the tag
    set (default: ``set()`` if present); ``options``, a ``tf.saved_model.LoadOptions``,
    applies to TF2 SavedModels.

    Returns a :class:`~hubcompat.tf1.adapter.TF1ModuleAdapter` or what
    ``tf.saved_model.load`` returns (TensorFlow has no type annotations: ``Any``).
    """
    if sys.modules.get("tensorflow") is not None:  # maybe in a tf.function: keep autograph out
        from hubcompat._tf_private import keep_autograph_out

        keep_autograph_out()
    path = resolve(checked_handle(handle))  # hub.load(0): ValueError, as in tensorflow_hub
    fmt = detect_format(path)
    preflight.require_tensorflow(f"hubcompat.load({handle!r})")
    if fmt is ModelFormat.TF2_SAVED_MODEL:
        import tensorflow as tf

        obj = tf.saved_model.load(path, tags=tags, options=options)
        obj._is_hub_module_v1 = False  # as hub.load sets it; code tells the two kinds apart by it
        return obj
    if fmt in (ModelFormat.TF1_HUB, ModelFormat.TF1_SAVED_MODEL):
        if is_remote(path):
            raise errors.UnsupportedModuleFormatError(
                f"{handle!r} is a TF1 module in {path}: hubcompat reads TF1 modules from a local "
                "folder. Unset TFHUB_MODEL_LOAD_FORMAT (it is downloaded into the cache), or "
                "copy the folder.", handle=handle, path=path)
        return load_tf1(path, tags, handle)
    raise errors.UnknownFormatError(
        f"{handle!r} is a {fmt} model; load it with keras.models.load_model()."
    )


def load_tf1(path: str, tags: Tags = None,
             handle: str | os.PathLike[str] | None = None) -> TF1ModuleAdapter:
    """The :class:`~hubcompat.tf1.adapter.TF1ModuleAdapter` of the TF1 module folder ``path``."""
    import tensorflow as tf

    from hubcompat.tf1.adapter import TF1ModuleAdapter
    from hubcompat.tf1.module_reader import tf_error_text

    try:
        return TF1ModuleAdapter(path, tags=tags)
    except errors.UnsupportedGraphError as e:
        raise errors.unsupported_in(e, handle or path) from None
    except tf.errors.OpError as e:  # what the checks before reading did not catch
        raise errors.CorruptModuleError(
            f"Cannot load {handle or path!r} ({path}): {tf_error_text(e)}. Fetch the module again."
        ) from e
