"""The one place that knows which TensorFlow / Keras version is installed.

Everything version-dependent (private TF classes whose home moved, Keras 3 vs
tf-keras) is looked up here, so no other module checks ``tf.__version__``.
"""

from __future__ import annotations

import contextlib
import functools


@functools.cache
def tf_version() -> tuple[int, int]:
    import tensorflow as tf

    major, minor = tf.__version__.split(".")[:2]
    return int(major), int(minor)


def auto_trackable_base() -> type:
    """The base class of objects whose attributes ``tf.saved_model.save`` tracks."""
    import tensorflow as tf

    return tf.__internal__.tracking.AutoTrackable


def save_type_savedmodel():
    """The ``save_type`` value TF passes to ``_trackable_children`` when exporting."""
    from tensorflow.python.trackable import base  # stable location since TF 2.10

    return base.SaveType.SAVEDMODEL


def control_flow_context_from_proto(collection: str):
    """TF's deserializer of a TF1 ``while_context`` / ``cond_context`` proto."""
    from tensorflow.python.framework import ops

    return ops.get_from_proto_function(collection)


@contextlib.contextmanager
def tf1_graph_building(graph):
    """Builds TF1 control-flow ops (v1 loop gradients, v1 TensorArrays) in ``graph``.

    Inside: tensors compare by identity (TF1's control-flow code uses ``!=``),
    and ``graph``, a FuncGraph, takes TF1 control flow, as the legacy
    ``_FuncGraph`` (recognised by its ``_captured`` attribute) did.
    """
    from tensorflow.python.ops import control_flow_util

    previous_equality = tensor_equality(False)
    previous_v2 = control_flow_util.ENABLE_CONTROL_FLOW_V2
    control_flow_util.ENABLE_CONTROL_FLOW_V2 = False
    had_marker = hasattr(graph, "_captured")
    if not had_marker:
        graph._captured = {}
    try:
        with graph.as_default():
            yield
    finally:
        if not had_marker:
            del graph._captured
        control_flow_util.ENABLE_CONTROL_FLOW_V2 = previous_v2
        tensor_equality(previous_equality)


def tensor_equality(enabled: bool) -> bool:
    """Sets whether ``==`` on tensors is elementwise (TF2) or identity (TF1); returns the old value."""
    import tensorflow as tf

    previous = tf.Tensor._USE_EQUALITY
    tf.Tensor._USE_EQUALITY = enabled
    return previous


def stop_recording():
    """A context in which no GradientTape records (variable watchers still see reads)."""
    from tensorflow.python.eager import record

    return record.stop_recording()


def mark_variables_read(variables) -> None:
    """Tells tapes and variable watchers that ``variables`` are read (as a call would)."""
    from tensorflow.python.ops import resource_variable_ops

    for variable in variables:
        resource_variable_ops.variable_accessed(variable)


def call_flat(function, args):
    """Calls a concrete function on its flat inputs, skipping argument binding.

    ``ConcreteFunction.__call__`` first tries to bind the arguments to the
    function's structured signature; a pruned function has none, so each call
    pays for a raised and caught TypeError (about 150 us) before the flat path.
    """
    return function._call_flat(args, function.captured_inputs)
