"""Comparing two models' outputs: how far apart two results are.

Used by ``inspect`` (what ``training=True`` changes) and ``convert`` (does the
converted SavedModel compute what the module does). A stateful module (its
calls assign variables, as ELMo's LSTM states) is compared call by call from
the same starting state: :class:`StartingState` puts both models back to it
before each compared call.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from hubcompat.reference_npz import SPARSE_PARTS


def keyword_inputs(inputs: Mapping) -> dict:
    """Inputs as a signature function takes them: a SparseTensor ``x`` as ``x_indices``,
    ``x_values`` and ``x_dense_shape`` (the convention of ``hub.load`` for TF1 modules)."""
    result = {}
    for name, value in inputs.items():
        if isinstance(value, tf.SparseTensor):
            for part in SPARSE_PARTS:
                result[f"{name}_{part}"] = getattr(value, part)
        elif isinstance(value, tf.RaggedTensor):  # <name>_component_<i>, as hub.load
            for i, part in enumerate(tf.nest.flatten(value, expand_composites=True)):
                result[f"{name}_component_{i}"] = part
        else:
            result[name] = value
    return result


def max_abs_difference(a, b) -> float:
    """The largest absolute difference between two results (``inf`` if they cannot match).

    Sparse tensors must have equal indices and dense shapes; strings must be
    equal, or name files with equal contents (asset paths move when a model is
    copied or converted).
    """
    if isinstance(a, tf.SparseTensor) or isinstance(b, tf.SparseTensor):
        if not (isinstance(a, tf.SparseTensor) and isinstance(b, tf.SparseTensor)):
            return math.inf
        if (max_abs_difference(a.indices, b.indices) or
                max_abs_difference(a.dense_shape, b.dense_shape)):
            return math.inf
        return max_abs_difference(a.values, b.values)
    if isinstance(a, tf.RaggedTensor) or isinstance(b, tf.RaggedTensor):
        if not (isinstance(a, tf.RaggedTensor) and isinstance(b, tf.RaggedTensor)):
            return math.inf
        if any(max_abs_difference(x, y) for x, y in zip(a.nested_row_splits,
                                                        b.nested_row_splits)):
            return math.inf
        return max_abs_difference(a.flat_values, b.flat_values)
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return math.inf
    if a.size == 0:
        return 0.0
    if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
        same = all(_same_string(x, y) for x, y in zip(a.ravel(), b.ravel()))
        return 0.0 if same else math.inf
    if a.dtype == bool or b.dtype == bool:
        return 0.0 if np.array_equal(a, b) else math.inf
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def _same_string(x, y) -> bool:
    if x == y:
        return True
    x, y = (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in (x, y))
    if not (os.path.isfile(x) and os.path.isfile(y)):
        return False
    if os.path.basename(x) != os.path.basename(y):
        return False
    with open(x, "rb") as fx, open(y, "rb") as fy:
        return fx.read() == fy.read()


class StartingState:
    """The values of a model's state variables now, to put back before each compared call."""

    def __init__(self, variables):
        self._variables = list(variables)
        self._values = [v.read_value() for v in self._variables]

    def restore(self) -> None:
        for variable, value in zip(self._variables, self._values):
            variable.assign(value)
