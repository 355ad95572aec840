"""The reference file of ``python -m hubcompat check``: inputs and outputs in one ``.npz``.

Keys (see docs/checking.md):

- ``input/<signature>/<input>``: the value fed to one input of a signature;
- ``output/<signature>/<output>``: what the signature returned for those inputs.

``<signature>`` is a signature name, or ``__call__`` for a TF2 SavedModel's
``__call__`` (whose single tensor output is called ``default``). A sparse
tensor is stored as three arrays, ``<key>/indices``, ``<key>/values`` and
``<key>/dense_shape``. Strings are stored as numpy bytes arrays (``S`` dtype),
so the file loads with ``allow_pickle=False``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from hubcompat import errors
from hubcompat._fileio import atomic_writer

SPARSE_PARTS = ("indices", "values", "dense_shape")


KINDS = ("input", "output")


def prefix(kind: str, signature: str) -> str:
    """``<kind>/<signature>/``: the start of the keys of one signature's inputs or outputs."""
    return f"{kind}/{signature}/"


def input_key(signature: str, name: str) -> str:
    return prefix("input", signature) + name


_KEY = re.compile(r"(input|output)/[^/]+/[^/].*")


def read(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """All arrays of a reference (or ``--inputs``) file.

    A ``.npz`` file in another layout (e.g. a fixture's ``NAME.reference.npz``,
    whose keys are ``input/<name>`` and ``infer/<signature>/<output>``) is a
    :class:`~hubcompat.errors.ReferenceFileError` that says so, not a list of
    failed comparisons.
    """
    path = Path(path)
    if not path.is_file():
        raise errors.ReferenceNotFoundError(
            f"Reference file {str(path)!r} does not exist; record one with "
            "`hubcompat check HANDLE --record FILE.npz`.",
            path=str(path),
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError) as e:
        raise errors.ReferenceFileError(
            f"Cannot read reference file {str(path)!r} as a numpy .npz archive ({e}); "
            "record it again with --record.",
            path=str(path),
        ) from e
    foreign = sorted(k for k in arrays if not _KEY.fullmatch(k))
    if foreign or not arrays:
        shown = ", ".join(repr(k) for k in foreign[:4]) + (", ..." if len(foreign) > 4 else "")
        raise errors.ReferenceFileError(
            f"{str(path)!r} is a .npz file in another format: "
            + (f"its keys {shown} are not " if foreign else "it holds no arrays, expected ")
            + "input/<signature>/<input> and output/<signature>/<output> (hubcompat check's reference format, docs/checking.md). Record a reference "
            "in this format with `hubcompat check HANDLE --record FILE.npz`.",
            path=str(path), keys=foreign,
        )
    return arrays


def check_writable(path: str | os.PathLike[str], *, overwrite: bool) -> None:
    """Raises :class:`~hubcompat.errors.ReferenceExistsError` when ``path`` exists and
    ``overwrite`` is off."""
    if Path(path).exists() and not overwrite:
        raise errors.ReferenceExistsError(
            f"Reference file {str(path)!r} already exists; delete it or pass --overwrite.",
            path=str(path),
        )


def write(path: str | os.PathLike[str], arrays: Mapping[str, np.ndarray], *,
          overwrite: bool = False) -> None:
    """Writes ``arrays`` to ``path`` through a temporary file (never a half-written file)."""
    path = Path(path)
    check_writable(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as f:
        by_key: dict[str, Any] = dict(sorted(arrays.items()))
        np.savez(f, **by_key)


def flatten(key: str, value: Any) -> dict[str, np.ndarray]:
    """``{key: array}`` for a tensor, or the three arrays of a sparse tensor."""
    import tensorflow as tf

    if isinstance(value, tf.SparseTensor):
        return {f"{key}/{part}": _to_array(getattr(value, part)) for part in SPARSE_PARTS}
    return {key: _to_array(value)}


def _to_array(value: Any) -> np.ndarray:
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    if array.dtype == object:  # tf.string -> bytes objects -> a fixed-width S array
        array = array.astype(bytes)
    return array
