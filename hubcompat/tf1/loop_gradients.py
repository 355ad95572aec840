"""Gradients through TF1 (v1) while loops, e.g. ELMo's LSTMs.

TF2 builds a function's gradient when it is first needed, as TF2 code: with
tensor equality on (TF1's while-loop gradient code compares tensors with
``!=`` and then recurses forever) and with TensorArrays as TensorLists (TF1
loops use handle-based TensorArrays). For signatures that run a v1 loop,
hubcompat therefore builds the gradient graph once, the TF1 way, in the
imported graph where the loop contexts live, prunes it into a function, and
attaches it to the forward call with ``tf.custom_gradient``.
"""

from __future__ import annotations

import tensorflow as tf

from hubcompat._compat import call_flat, mark_variables_read, stop_recording, tf1_graph_building


def _differentiable(tensor) -> bool:
    return tensor.dtype.is_floating or tensor.dtype.is_complex


class LoopGradientCall:
    """Calls a pruned signature function with a prebuilt TF1 gradient."""

    def __init__(self, wrapped, forward, feeds, outputs: dict, handles, variables,
                 captures=None):
        self._forward = forward
        # captures(function) -> the captured inputs to call it with (by default
        # its own; under tf.distribute, the running replica's variable handles).
        self._captures = captures or (lambda function: function.captured_inputs)
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

    def __call__(self, flat_inputs) -> dict:
        keys, y_positions = self._keys, self._y_positions

        @tf.custom_gradient
        def call(*inputs):
            mark_variables_read(self._variables)  # so custom_gradient passes them to grad()
            with stop_recording():  # the gradient is ours: TF must not build its own
                outputs = call_flat(self._forward, list(inputs), self._captures(self._forward))[0]
            ys = [outputs[k] for k in keys]

            def grad(*dys, variables=None):
                upstream = [
                    tf.zeros_like(ys[i]) if dys[i] is None else dys[i] for i in y_positions
                ]
                values = call_flat(self._gradient, [*inputs, *upstream],
                                   self._captures(self._gradient))
                by_position = [None] * self._n_xs
                for position, value in zip(self._grad_positions, values):
                    by_position[position] = value
                input_grads = by_position[: self._n_feeds]
                handle_grads = by_position[self._n_feeds:]
                variable_grads = []
                for variable in variables or []:
                    index = next(i for i, v in enumerate(self._variables) if v is variable)
                    g = handle_grads[index]
                    variable_grads.append(tf.zeros_like(variable) if g is None else g)
                return input_grads, variable_grads

            return ys, grad

        return dict(zip(keys, call(*flat_inputs)))
