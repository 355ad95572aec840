"""What genuine hub.Module computed, call by call, on the real-architecture fixtures.

``fixtures/genuine_tf15/architectures/NAME/`` was exported by genuine
tensorflow_hub 0.15 and ``NAME.reference.npz`` holds what its ``hub.Module``
computed in a TF1 Session on consecutive calls (see ``record.py`` there):
outputs, gradients of ``sum(output * w)`` and the non-trainable variables
(the state) after each call, for the inference graph (``infer``) and the
``{"train"}`` graph (``train``), and the regularization losses. Tests compare
every way of calling hubcompat with these, call by call, within
:data:`tests.support.numerics.ACROSS_MACHINES` (recorded on another CPU and TensorFlow:
gradients within ACROSS_MACHINES_GRADIENTS of the call's largest gradient: the measured
spread is in tests/support/numerics.py).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tests.support.numerics import (
    ACROSS_MACHINES,
    ACROSS_MACHINES_GRADIENTS,
    assert_close,
    scale,
)
from tests.support.paths import REPO

ARCHITECTURES = REPO / "fixtures" / "genuine_tf15" / "architectures"
NAMES = ("inception_like", "stateful_elmo")
MODES = ("infer", "train")
RTOL = ACROSS_MACHINES  # of each array's scale: tests/support/numerics.py
GRAD_OUTPUT = "default"


@dataclasses.dataclass
class Call:
    inputs: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    grad_weights: np.ndarray
    grads: dict[str, np.ndarray]  # by variable name inside the module
    state: dict[str, np.ndarray]  # non-trainable variables after the call

    @property
    def call_input(self):
        """The input as ``module(x)`` takes it: the tensor for a single input."""
        return next(iter(self.inputs.values())) if len(self.inputs) == 1 else self.inputs


def folder(name: str) -> str:
    return str(ARCHITECTURES / name)


def reference(name: str) -> dict[str, np.ndarray]:
    with np.load(ARCHITECTURES / f"{name}.reference.npz") as npz:
        return {key: npz[key] for key in npz.files}


def calls(name: str, mode: str) -> list[Call]:
    ref = reference(name)
    result = []
    k = 0
    while f"{mode}/{k}/grad_weights" in ref:
        def part(kind, k=k):
            prefix = f"{mode}/{k}/{kind}/"
            return {key[len(prefix):]: ref[key] for key in ref if key.startswith(prefix)}

        result.append(Call(part("input"), part("output"), ref[f"{mode}/{k}/grad_weights"],
                           part("grad"), part("state")))
        k += 1
    return result


def variable_name(variable) -> str:
    return variable.name.split(":")[0]


def assert_outputs(actual, call: Call, where: str) -> None:
    """``actual``: the dict of all outputs, or the ``default`` output alone."""
    if not isinstance(actual, dict):
        actual = {"default": actual}
        expected_outputs = {"default": call.outputs["default"]}
    else:
        expected_outputs = call.outputs
    assert sorted(actual) == sorted(expected_outputs), where
    for key, expected in expected_outputs.items():
        value = np.asarray(actual[key])
        if expected.dtype.kind in "SOUib":
            np.testing.assert_array_equal(value, expected, err_msg=f"{where}: output {key}")
        else:
            assert_close(value, expected, rtol=RTOL, err_msg=f"{where}: output {key}")


def assert_state(variables, call: Call, where: str) -> None:
    by_name = {variable_name(v): v for v in variables}
    assert call.state, where
    for key, expected in call.state.items():
        assert_close(by_name[key].numpy(), expected, rtol=RTOL, err_msg=f"{where}: state {key}")


def assert_grads(grads: dict, call: Call, where: str) -> None:
    """``grads``: variable name -> gradient (None where the output does not use it)."""
    assert call.grads, where
    # One gradient, of every variable: scaled to its largest element, not each variable's.
    largest = max(scale(g) for g in call.grads.values())
    for key, expected in call.grads.items():
        assert grads.get(key) is not None, f"{where}: no gradient for {key}"
        assert_close(_dense(grads[key]), expected, rtol=ACROSS_MACHINES_GRADIENTS, of=largest,
                     err_msg=f"{where}: gradient of {key}")
    for key, value in grads.items():
        if key not in call.grads:
            assert value is None or not np.any(_dense(value)), f"{where}: {key} has a gradient"


def _dense(value) -> np.ndarray:
    """A gradient as an array: a tensor, an IndexedSlices, or what a Session returned."""
    import tensorflow as tf

    if hasattr(value, "indices") and hasattr(value, "dense_shape") and not tf.is_tensor(value) \
            and not isinstance(value, tf.IndexedSlices):  # a Session's IndexedSlicesValue
        dense = np.zeros(value.dense_shape, value.values.dtype)
        np.add.at(dense, value.indices, value.values)
        return dense
    if not (tf.is_tensor(value) or isinstance(value, tf.IndexedSlices)):
        return np.asarray(value)  # what a Session returned (a scalar is a numpy scalar)
    return np.asarray(tf.convert_to_tensor(value))
