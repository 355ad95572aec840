"""What can be checked before TensorFlow is imported (a second or more of start-up).

The command line runs these first, so a wrong path, an existing destination or
a missing TensorFlow is reported at once, without loading TensorFlow; the
library functions call the same checks, so both give the same errors.
"""

from __future__ import annotations

import importlib.util
import os

from hubcompat import errors
from hubcompat.formats import ModelFormat, detect_format
from hubcompat.resolvers import resolve


def require_tensorflow(what: str) -> None:
    """Raises :class:`~hubcompat.errors.TensorFlowMissingError` when TensorFlow is not
    installed (found without importing it)."""
    if importlib.util.find_spec("tensorflow") is None:
        raise tensorflow_missing(what)


def tensorflow_missing(what: str) -> errors.TensorFlowMissingError:
    """The error for ``what`` (e.g. ``"hubcompat.load"``) used without TensorFlow."""
    from hubcompat import _requirement

    return errors.TensorFlowMissingError(
        f"{what} needs TensorFlow, which is not installed in this Python. Install it "
        f"beside hubcompat: {_requirement.pip_install('tf')}, or the TensorFlow package of "
        "your platform (tensorflow-cpu, tensorflow-macos, tf-nightly, ...; 2.13 or newer). "
        "The migrate tool needs no TensorFlow.",
        name="tensorflow", feature=what,
    )


def model(handle: str | os.PathLike[str]) -> tuple[str, ModelFormat]:
    """The local folder ``handle`` resolves to (downloading it if needed) and its format."""
    path = resolve(handle)
    return path, detect_format(path)


def conversion(src: str | os.PathLike[str], dst: str | os.PathLike[str], *,
               overwrite: bool) -> tuple[str, str, ModelFormat]:
    """Checks a ``convert(src, dst)``: ``dst`` is free (or ``overwrite``), ``src`` is a TF1
    model. Returns the absolute ``dst``, the local folder of ``src`` and its format."""
    dst = os.path.abspath(os.fspath(dst))
    if os.path.lexists(dst) and not overwrite:
        raise errors.DestinationExistsError(
            f"Cannot convert {src!r}: {dst!r} already exists. Pick another destination "
            "or pass overwrite=True (--overwrite).",
            handle=src, path=dst,
        )
    path, fmt = model(src)
    if fmt is ModelFormat.TF2_SAVED_MODEL:
        raise errors.NothingToConvertError(
            f"{src!r} is already a TF2 SavedModel: load it with tf.saved_model.load(); "
            "copy the folder if you need it elsewhere.",
            handle=src, path=path,
        )
    if fmt not in (ModelFormat.TF1_HUB, ModelFormat.TF1_SAVED_MODEL):
        raise errors.UnknownFormatError(
            f"{src!r} is a {fmt} model, not a TF1 Hub module or TF1 SavedModel: nothing to convert.",
            handle=src, path=path,
        )
    return dst, path, fmt
