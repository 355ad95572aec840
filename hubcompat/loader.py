"""``hubcompat.load``: any model handle to a TF2 object."""

from __future__ import annotations

from hubcompat import errors, preflight
from hubcompat.formats import ModelFormat, detect_format
from hubcompat.resolvers import resolve


def load(handle, tags=None, options=None):
    """Loads a TF1 Hub module or a SavedModel as a callable TF2 object.

    - A TF2 SavedModel loads as ``tf.saved_model.load(path, tags, options)``.
    - A TF1 Hub module (or TF1 SavedModel) becomes a
      :class:`~hubcompat.tf1.adapter.TF1ModuleAdapter`: callable like
      ``hub.Module`` (``m(x)``, ``m(x, signature=..., as_dict=True)``), with
      ``variables``, ``trainable_variables``, ``regularization_losses``,
      ``signatures`` and ``training=True`` running its ``{"train"}`` graph.

    ``handle`` is anything :func:`hubcompat.resolve` accepts (a folder, an
    archive, a URL, a tfhub.dev or Kaggle handle, ...). ``tags`` picks the tag
    set (default: ``set()`` if present).
    """
    path = resolve(handle)
    fmt = detect_format(path)
    preflight.require_tensorflow(f"hubcompat.load({handle!r})")
    if fmt is ModelFormat.TF2_SAVED_MODEL:
        import tensorflow as tf

        return tf.saved_model.load(path, tags=tags, options=options)
    if fmt in (ModelFormat.TF1_HUB, ModelFormat.TF1_SAVED_MODEL):
        import tensorflow as tf

        from hubcompat.tf1.adapter import TF1ModuleAdapter

        try:
            return TF1ModuleAdapter(path, tags=tags)
        except tf.errors.OpError as e:  # e.g. a truncated checkpoint
            raise errors.CorruptModuleError(
                f"Cannot load {handle!r} ({path}): {e.message}. Fetch the module again."
            ) from e
    raise errors.UnknownFormatError(
        f"{handle!r} is a {fmt} model; load it with keras.models.load_model()."
    )
