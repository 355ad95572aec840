"""``hubcompat.convert``: a TF1 Hub module (or TF1 SavedModel) to a plain TF2 SavedModel.

The result loads with ``tf.saved_model.load`` alone, no hubcompat needed. It
is a reusable SavedModel (``obj(x, training=...)`` when the module has a
``default`` signature, ``variables``, ``trainable_variables``,
``regularization_losses``) with every signature of the module in
``signatures``, called as ``hub.load`` calls them, and the module's assets.

The SavedModel is written into a temporary folder next to the destination
and renamed into place only when complete: a failure leaves nothing behind.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tensorflow as tf

from hubcompat import errors, preflight
from hubcompat.parity import ModuleOutputs, compare_converted
from hubcompat.tolerances import DEFAULT_ATOL

if TYPE_CHECKING:
    from hubcompat.tf1.adapter import TF1ModuleAdapter


@dataclass
class ConversionReport:
    """What :func:`convert` wrote and how close the result is to the source."""

    source: str
    destination: str
    format: str
    signatures: list[str]
    has_call: bool
    variables: int
    atol: float
    verified: bool = False
    # "<signature>/<output>" (or "__call__/<output>") -> max abs difference
    differences: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True unless verification ran and some difference exceeds ``atol``."""
        return all(d <= self.atol for d in self.differences.values())

    @property
    def failures(self) -> dict[str, float]:
        return {k: d for k, d in self.differences.items() if not d <= self.atol}

    def to_dict(self) -> dict:
        return {
            "source": self.source, "destination": self.destination, "format": self.format,
            "signatures": self.signatures, "has_call": self.has_call,
            "variables": self.variables, "verified": self.verified, "atol": self.atol,
            "ok": self.ok,
            "differences": {k: (d if d != float("inf") else "inf")
                            for k, d in sorted(self.differences.items())},
        }


def convert(src: str | os.PathLike[str], dst: str | os.PathLike[str], *,
            overwrite: bool = False, tags: Iterable[str] | str | None = None,
            verify: bool = True, atol: float = DEFAULT_ATOL) -> ConversionReport:
    """Writes the TF1 module ``src`` (any handle :func:`hubcompat.load` accepts) to ``dst``
    as a TF2 SavedModel; with ``verify``, reloads it and compares every signature's
    outputs (and ``__call__``'s) with the module's on example inputs.

    A failed verification does not remove ``dst``: ``report.ok`` is False and
    ``report.failures`` names the outputs that differ by more than ``atol``.
    """
    dst, _, fmt = preflight.conversion(src, dst, overwrite=overwrite)
    from hubcompat.loader import load
    from hubcompat.tf1.adapter import DEFAULT_SIGNATURE

    module = load(src, tags=tags)
    names = module.get_signature_names()
    _write_atomically(module, dst, overwrite)
    report = ConversionReport(
        source=str(src), destination=dst, format=str(fmt), signatures=names,
        has_call=DEFAULT_SIGNATURE in names, variables=len(module.variables), atol=atol,
    )
    if verify:
        # The module's outputs first, then its variables are freed before the
        # converted model's are restored: never two copies in memory.
        expected = ModuleOutputs(module)
        del module
        gc.collect()
        report.differences = compare_converted(expected, tf.saved_model.load(dst),
                                               atol=atol).differences
        report.verified = True
    return report


SERVING_DEFAULT = "serving_default"


def save(module: TF1ModuleAdapter, path: str) -> None:
    """``tf.saved_model.save`` of a loaded TF1 module with all its signatures.

    The ``default`` signature is also written as ``serving_default``, the one TF
    Serving, Vertex AI, ``saved_model_cli`` and the TFLite converter use; the
    module's ``serve`` endpoint (``keras.layers.TFSMLayer(path)``) comes with its
    ``__call__`` (see TF1ModuleAdapter._traced_call_for_export).
    """
    names = module.get_signature_names()
    signatures = {name: module.signatures[name] for name in names}
    if "default" in signatures and SERVING_DEFAULT not in signatures:
        signatures[SERVING_DEFAULT] = signatures["default"]
    tf.saved_model.save(module, path, signatures=signatures)


def _write_atomically(module, dst: str, overwrite: bool) -> None:
    parent = os.path.dirname(dst)
    os.makedirs(parent, exist_ok=True)
    partial = tempfile.mkdtemp(prefix=f".{os.path.basename(dst)}.", suffix=".partial", dir=parent)
    try:
        save(module, partial)
        if os.path.lexists(dst):
            if not overwrite:  # appeared while we were writing
                raise errors.DestinationExistsError(
                    f"{dst!r} appeared while converting; the conversion was not written."
                )
            _replace(partial, dst)
        else:
            os.rename(partial, dst)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _replace(new: str, dst: str) -> None:
    """Swaps ``new`` in for ``dst`` (a folder or a file), then deletes the old one."""
    old = tempfile.mkdtemp(prefix=f".{os.path.basename(dst)}.", suffix=".old",
                           dir=os.path.dirname(dst))
    moved = os.path.join(old, "previous")
    os.rename(dst, moved)
    try:
        os.rename(new, dst)
    except BaseException:
        os.rename(moved, dst)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
