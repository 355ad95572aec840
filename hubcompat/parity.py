"""Comparing what two models compute: the one comparison engine of hubcompat.

Every comparison of outputs (or state) goes through :func:`compare`, with the
tolerances of :mod:`hubcompat.tolerances`:

- ``check``: a model's outputs against a reference file (``reference[S]``),
  through a Keras model (``keras``), and after ``tf.saved_model.save`` +
  ``load`` (``reexport``), within ``atol`` and ``rtol``;
- ``convert``: the converted SavedModel against the module it came from
  (:func:`compare_converted`, within ``atol``);
- ``inspect``: which outputs ``training=True`` changes (:data:`TRAINING_ATOL`).

Two values match when they have the same shape and, for numbers,
``np.allclose(actual, expected, atol, rtol, equal_nan=True)``; strings must
be equal or name files with equal contents (asset paths move when a model is
copied or converted), booleans must be equal, and sparse and ragged tensors
need equal indices / row splits. A stateful module (its calls assign
variables, as ELMo's LSTM states) is compared call by call from the same
starting state (:class:`StartingState`).

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hubcompat.reference_npz import SPARSE_PARTS
from hubcompat.tolerances import DEFAULT_ATOL

if TYPE_CHECKING:
    from hubcompat.tf1.adapter import TF1ModuleAdapter

# The name that stands for a model's ``__call__`` among its signature names,
# wherever outputs are named by signature: check's results and reference
# files (``output/__call__/default``), convert's differences (``__call__/default``).
CALL = "__call__"


# --- the engine -----------------------------------------------------------------------


@dataclass
class Comparison:
    """The outcome of :func:`compare`, key by key."""

    # key -> the largest absolute difference (inf: the values cannot match)
    differences: dict[str, float] = field(default_factory=dict)
    # key -> why the values do not match (only keys that do not)
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def largest(self) -> float:
        """The largest difference between numbers that could be compared (0.0 if none)."""
        finite = [d for d in self.differences.values() if not math.isinf(d)]
        return max(finite, default=0.0)

    def messages(self) -> list[str]:
        """``"<key>: <problem>"`` for each key that does not match, in key order."""
        return [f"{key}: {problem}" for key, problem in sorted(self.problems.items())]


def compare(expected: Mapping[str, Any], actual: Mapping[str, Any], *, atol: float,
            rtol: float = 0.0, expected_name: str = "the reference") -> Comparison:
    """Compares two flat mappings of values (arrays, tensors, sparse or ragged tensors).

    Every key of either side is compared; a key on one side only is a
    problem. ``expected_name`` names the expected side in the problems.
    """
    result = Comparison()
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            result.differences[key] = math.inf
            result.problems[key] = f"in {expected_name}, but the model has no such output"
        elif key not in expected:
            result.differences[key] = math.inf
            result.problems[key] = f"the model returns it, but {expected_name} has no such key"
        else:
            difference, problem = _compare_values(expected[key], actual[key], atol, rtol,
                                                   expected_name)
            result.differences[key] = difference
            if problem is not None:
                result.problems[key] = problem
    return result


def _compare_values(want, got, atol: float, rtol: float,
                    expected_name: str) -> tuple[float, str | None]:
    """(largest absolute difference, the problem or None when the values match)."""
    if _is_composite(want) or _is_composite(got):
        if not _same_structure(want, got):
            return math.inf, (f"a {type(got).__name__} whose indices, row splits or shape "
                              f"differ from {expected_name}'s {type(want).__name__}")
        want, got = _composite_values(want), _composite_values(got)
    want, got = _as_array(want), _as_array(got)
    if want.shape != got.shape:
        return math.inf, f"shape {got.shape} differs from {expected_name}'s {want.shape}"
    if _numeric(want) and _numeric(got):
        diff = _numeric_difference(want, got)
        difference = math.inf if diff is None else float(np.max(diff, initial=0.0))
        close = diff is not None and (difference <= atol if not rtol
                                      else bool(np.all(diff <= _bound(want, atol, rtol))))
        if not close:
            return difference, (f"values differ by up to {difference:.3g} "
                                f"(atol={atol:g}, rtol={rtol:g})")
        return difference, None
    difference = max_abs_difference(want, got)
    if want.dtype.kind != got.dtype.kind or difference != 0.0:
        return difference, f"values differ from {expected_name} ({got.dtype} vs {want.dtype})"
    return difference, None


def max_abs_difference(a: Any, b: Any) -> float:
    """The largest absolute difference between two results (``inf`` if they cannot match).

    Sparse tensors must have equal indices and dense shapes, ragged tensors
    equal row splits; strings must be equal, or name files with equal contents
    (asset paths move when a model is copied or converted); NaN equals NaN.
    """
    if _is_composite(a) or _is_composite(b):
        if not _same_structure(a, b):
            return math.inf
        return max_abs_difference(_composite_values(a), _composite_values(b))
    a, b = _as_array(a), _as_array(b)
    if a.shape != b.shape:
        return math.inf
    if a.size == 0:
        return 0.0
    if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
        same = all(_same_string(x, y) for x, y in zip(a.ravel(), b.ravel()))
        return 0.0 if same else math.inf
    if a.dtype == bool or b.dtype == bool:
        return 0.0 if np.array_equal(a, b) else math.inf
    diff = _numeric_difference(a, b)
    return math.inf if diff is None else float(np.max(diff, initial=0.0))


def _numeric_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """``|a - b|`` elementwise in float64, 0 where both are NaN (or the same infinity);
    None when NaN stands on one side only."""
    diff = a.astype(np.float64)  # a copy, then worked on in place
    with np.errstate(invalid="ignore"):  # inf - inf is NaN: handled below
        np.subtract(diff, b, out=diff, casting="unsafe")
    np.abs(diff, out=diff)
    undefined = np.isnan(diff)
    if undefined.any():
        a_nan, b_nan = np.isnan(a), np.isnan(b)
        if not np.array_equal(a_nan, b_nan):
            return None
        diff[undefined] = 0.0  # NaN and NaN, or inf and inf
    return diff


def _bound(expected: np.ndarray, atol: float, rtol: float):
    """The largest difference allowed at each element, as ``np.allclose`` allows it
    (an infinite expected value needs the same infinity, NaN needs NaN)."""
    if not rtol:
        return atol
    scale = np.abs(expected.astype(np.float64))
    bound = atol + rtol * scale
    bound[~np.isfinite(scale)] = 0.0  # inf: the same inf; NaN: NaN (a difference of 0)
    return bound


def _is_composite(value) -> bool:
    name = type(value).__name__
    if name not in ("SparseTensor", "RaggedTensor"):  # no TensorFlow import for arrays
        return False
    import tensorflow as tf

    return isinstance(value, (tf.SparseTensor, tf.RaggedTensor))


def _same_structure(a, b) -> bool:
    """Two sparse tensors with equal indices and dense shapes, or two ragged tensors
    with equal row splits."""
    import tensorflow as tf

    if type(a) is not type(b):
        return False
    if isinstance(a, tf.SparseTensor):
        parts = [(a.indices, b.indices), (a.dense_shape, b.dense_shape)]
    elif len(a.nested_row_splits) != len(b.nested_row_splits):
        return False
    else:
        parts = list(zip(a.nested_row_splits, b.nested_row_splits))
    return not any(max_abs_difference(x, y) for x, y in parts)


def _composite_values(value):
    import tensorflow as tf

    return value.values if isinstance(value, tf.SparseTensor) else value.flat_values


def _as_array(value) -> np.ndarray:
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _numeric(array: np.ndarray) -> bool:
    return array.dtype.kind in "iufc"


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


# --- calling a model the same way twice ------------------------------------------------


def keyword_inputs(inputs: Mapping) -> dict:
    """Inputs as a signature function takes them: a SparseTensor ``x`` as ``x_indices``,
    ``x_values`` and ``x_dense_shape`` (the convention of ``hub.load`` for TF1 modules)."""
    import tensorflow as tf

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


class StartingState:
    """The values of a model's state variables now, to put back before each compared call."""

    def __init__(self, variables: Iterable[Any]) -> None:
        self._variables = list(variables)
        self._values = [v.read_value() for v in self._variables]

    def restore(self) -> None:
        for variable, value in zip(self._variables, self._values):
            variable.assign(value)


# --- a TF1 module and its conversion ---------------------------------------------------


class ModuleOutputs:
    """What a loaded TF1 module computes on example inputs, kept to compare its
    conversion with after the module itself is gone (:func:`hubcompat.convert`
    frees it before the reload: never two copies in memory).

    A stateful module's calls move its state (``module.stateful_variables``):
    each call starts from the state the module was saved with, and the state
    after it is kept too (compared as ``<signature>/state/<var>``).
    """

    def __init__(self, module: TF1ModuleAdapter) -> None:
        from hubcompat.example_inputs import example_inputs, image_size_of, input_specs

        image_size = image_size_of(module)
        state_vars = list(getattr(module, "stateful_variables", []))
        position = {id(v): i for i, v in enumerate(module.variables)}
        self.state_positions = [position[id(v)] for v in state_vars]
        self.state_names = [v.name.split(":")[0] for v in state_vars]
        start = StartingState(state_vars)
        self.calls: dict[str, tuple[dict, dict, list]] = {}
        for name in module.get_signature_names():
            inputs = example_inputs(input_specs(module, name), image_size=image_size)
            start.restore()
            outputs = module(inputs, signature=name, as_dict=True)
            self.calls[name] = (inputs, outputs, [v.read_value() for v in state_vars])
        start.restore()


def compare_converted(expected: ModuleOutputs, converted: Any, *, atol: float = DEFAULT_ATOL,
                      rtol: float = 0.0) -> Comparison:
    """Every signature's outputs (keys ``<signature>/<output>``), ``__call__``'s with
    training=False (``__call__/<output>``) and the state after each call
    (``<signature>/state/<var>``) of the reloaded ``converted``, against ``expected``."""
    theirs = list(converted.variables) if expected.state_positions else []
    converted_state = [theirs[i] for i in expected.state_positions]
    start = StartingState(converted_state)
    want: dict[str, Any] = {}
    got: dict[str, Any] = {}

    def add_state(prefix: str, after: list) -> None:
        for var_name, value, variable in zip(expected.state_names, after, converted_state):
            want[f"{prefix}/state/{var_name}"] = value
            got[f"{prefix}/state/{var_name}"] = variable.read_value()

    for name, (inputs, outputs, after) in expected.calls.items():
        start.restore()
        actual = converted.signatures[name](**keyword_inputs(inputs))
        for key in outputs:
            want[f"{name}/{key}"] = outputs[key]
            if key in actual:
                got[f"{name}/{key}"] = actual[key]
        add_state(name, after)
        if name == "default" and callable(converted):
            start.restore()
            call_input = next(iter(inputs.values())) if len(inputs) == 1 else inputs
            called = converted(call_input, training=False)
            called = called if isinstance(called, dict) else {"default": called}
            for key in called:
                got[f"{CALL}/{key}"] = called[key]
                if key in outputs:
                    want[f"{CALL}/{key}"] = outputs[key]
            add_state(CALL, after)
    start.restore()
    return compare(want, got, atol=atol, rtol=rtol, expected_name="the module")
