"""Gradients through TF1 (v1) while loops, e.g. ELMo's LSTMs.

TF2 builds a function's gradient when it is first needed, as TF2 code: with
tensor equality on (TF1's while-loop gradient code compares tensors with
``!=`` and then recurses forever) and with TensorArrays as TensorLists (TF1
loops use handle-based TensorArrays). For signatures that run a v1 loop,
hubcompat therefore builds the gradient graph once, the TF1 way, in the
imported graph where the loop contexts live, prunes it into a function, and
attaches it to the forward call with ``tf.custom_gradient``.

That gradient function re-runs the forward pass (a v1 loop's gradient pops
the values its forward loop pushed in the same run). A stateful module
(bilm-tf's LSTM states, batch-norm moving averages: variables the forward
pass assigns) would then compute the gradient of the *next* call and move its
state twice. So each call reads the state it starts from, and the gradient
function runs on temporary copies of those variables holding it: it computes
the gradient of that call, and its assigns touch only the copies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from hubcompat._tf_private import (
    anonymous_variable_handle,
    call_flat,
    mark_variables_read,
    stop_recording,
    tf1_graph_building,
)
from hubcompat.tf1.graph_rewrite import HANDLE_PASSTHROUGH_OPS, WRITE_OP_PREFIXES


def _differentiable(tensor) -> bool:
    return tensor.dtype.is_floating or tensor.dtype.is_complex


def written_captures(function: Any) -> set[int]:
    """Positions in ``function.captured_inputs`` of the variable handles its ops write."""
    graph = function.graph
    position = {id(t): i for i, t in enumerate(graph.internal_captures)}
    written = set()
    for op in graph.get_operations():
        if not (op.type.startswith(WRITE_OP_PREFIXES) and op.inputs
                and op.inputs[0].dtype == tf.resource):
            continue
        tensor = op.inputs[0]
        while tensor.op.type in HANDLE_PASSTHROUGH_OPS and tensor.op.inputs:
            tensor = tensor.op.inputs[0]
        if id(tensor) in position:
            written.add(position[id(tensor)])
    return written


class LoopGradientCall:
    """Calls a pruned signature function with a prebuilt TF1 gradient."""

    def __init__(self, wrapped: Any, forward: Any, feeds: list, outputs: dict, handles: list,
                 variables: list, captures: Callable[[Any], list] | None = None) -> None:
        self._forward = forward
        # captures(function) -> the captured inputs to call it with (by default
        # its own; under tf.distribute, the running replica's variable handles).
        self._replica_captures = captures or (lambda function: function.captured_inputs)
        self._keys = sorted(outputs)
        self._variables = list(variables)
        ys = [outputs[k] for k in self._keys]
        self._y_positions = [i for i, y in enumerate(ys) if _differentiable(y)]
        with tf1_graph_building(wrapped.graph):
            dys = [tf.compat.v1.placeholder(ys[i].dtype, ys[i].shape) for i in self._y_positions]
            xs = list(feeds) + list(handles)
            grads = tf.gradients([ys[i] for i in self._y_positions], xs, grad_ys=dys)
            grads = [None if g is None else tf.convert_to_tensor(g) for g in grads]
        self._n_feeds = len(feeds)
        self._grad_positions = [i for i, g in enumerate(grads) if g is not None]
        self._gradient = wrapped.prune(
            feeds=list(feeds) + dys, fetches=[grads[i] for i in self._grad_positions]
        )
        self._n_xs = len(xs)
        # The module's state: the variables the forward pass writes, known by
        # their handles, which both pruned functions capture.
        variable_of = {id(handle): variable for handle, variable in
                       zip(_externals(wrapped, handles), self._variables)}
        forward_captures = forward.captured_inputs
        written = [forward_captures[i] for i in sorted(written_captures(forward))
                   if id(forward_captures[i]) in variable_of]
        self._state = [variable_of[id(handle)] for handle in written]
        state_index = {id(handle): k for k, handle in enumerate(written)}
        # For each capture of the gradient function: which state variable it is, or None.
        self._gradient_state = [state_index.get(id(c)) for c in self._gradient.captured_inputs]

    def __call__(self, flat_inputs: list) -> dict:
        keys, y_positions, n_inputs = self._keys, self._y_positions, len(flat_inputs)
        with stop_recording():
            start = [v.read_value() for v in self._state]  # before the call moves it

        # The state the call starts from is an input of the custom gradient (not
        # a tensor grad() closes over), so that a re-exported SavedModel, which
        # saves grad() as a function of the op's inputs, still has it.
        @tf.custom_gradient
        def call(*args):
            inputs, start = args[:n_inputs], args[n_inputs:]
            mark_variables_read(self._variables)  # so custom_gradient passes them to grad()
            # (control dependencies: a TF1 graph has no automatic ones to read first)
            with stop_recording(), tf.control_dependencies(start):
                outputs = call_flat(self._forward, list(inputs),  # ours, not TF's gradient
                                    self._replica_captures(self._forward))[0]
            ys = [outputs[k] for k in keys]

            def grad(*dys, variables=None):
                upstream = [
                    tf.zeros_like(ys[i]) if dys[i] is None else dys[i] for i in y_positions
                ]
                captures, assigned = self._captures(start)
                with tf.control_dependencies(assigned):
                    values = call_flat(self._gradient, [*inputs, *upstream], captures)
                by_position = [None] * self._n_xs
                for position, value in zip(self._grad_positions, values):
                    by_position[position] = value
                input_grads = by_position[: self._n_feeds] + [None] * len(start)
                handle_grads = by_position[self._n_feeds:]
                variable_grads = []
                for variable in variables or []:
                    index = next(i for i, v in enumerate(self._variables) if v is variable)
                    g = handle_grads[index]
                    variable_grads.append(tf.zeros_like(variable) if g is None else g)
                return input_grads, variable_grads

            return ys, grad

        return dict(zip(keys, call(*flat_inputs, *start)))

    def _captures(self, start) -> tuple[list, list]:
        """The gradient function's captures, state variables swapped for copies holding ``start``."""
        replica_captures = self._replica_captures(self._gradient)
        if not self._state:
            return replica_captures, []
        copies, assigned = [], []
        for variable, value in zip(self._state, start):
            handle = anonymous_variable_handle(variable.dtype, variable.shape)
            assigned.append(tf.raw_ops.AssignVariableOp(resource=handle, value=value))
            copies.append(handle)
        captures = [c if k is None else copies[k]
                    for c, k in zip(replica_captures, self._gradient_state)]
        return captures, [a for a in assigned if a is not None]


def _externals(wrapped, handles) -> list:
    """The outside tensors that ``wrapped``'s graph captured as ``handles``."""
    outside = {id(internal): external for external, internal in wrapped.graph.captures}
    return [outside[id(h)] for h in handles]

