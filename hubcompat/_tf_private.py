"""TensorFlow's private APIs: the only module of hubcompat that imports ``tensorflow.python``.

TF1 modules need a few things the public API does not offer (TF1 control
flow inside a FuncGraph, the op registry, flat calls of concrete functions,
the feature-column base classes, ...). Each is reached here, through one
small function (or a lazily imported attribute, for base classes), so a
TensorFlow upgrade that moves one is fixed in one place. Nothing here imports TensorFlow when
hubcompat is imported. Keras is in :mod:`hubcompat._keras`.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

# Base classes and modules, imported when first used (PEP 562): a class
# statement needs them at import time of the module defining the subclass.
_LAZY_ATTRIBUTES = {
    # The base class of objects whose attributes ``tf.saved_model.save`` tracks.
    "AutoTrackable": ("tensorflow", "__internal__.tracking.AutoTrackable"),
    # The TF1 and TF2 feature-column base classes (hub.text_embedding_column & co).
    "feature_column_v1": ("tensorflow.python.feature_column.feature_column", ""),
    "feature_column_v2": ("tensorflow.python.feature_column.feature_column_v2", ""),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY_ATTRIBUTES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module_name, path = _LAZY_ATTRIBUTES[name]
    value: Any = importlib.import_module(module_name)
    for part in filter(None, path.split(".")):
        value = getattr(value, part)
    globals()[name] = value
    return value


def save_type_savedmodel() -> Any:
    """The ``save_type`` value TF passes to ``_trackable_children`` when exporting."""
    from tensorflow.python.trackable import base  # stable location since TF 2.10

    return base.SaveType.SAVEDMODEL


def registered_op_def(op_name: str) -> Any:
    """The ``OpDef`` registered for ``op_name`` in this process, or ``None``."""
    from tensorflow.python.framework import op_def_registry

    return op_def_registry.get(op_name)


def decode_structured_value(value: Any) -> Any:
    """The Python value (e.g. a ``tf.RaggedTensorSpec``) of a ``StructuredValue`` proto."""
    from tensorflow.python.saved_model import nested_structure_coder

    return nested_structure_coder.decode_proto(value)


def build_tensor_info(tensor: Any) -> Any:
    """The ``TensorInfo`` proto of a graph tensor (dense, sparse or composite).

    What ``tf.compat.v1.saved_model.utils.build_tensor_info`` returns, without its
    deprecation warning (issue 21: hubcompat's own calls log nothing); the public
    function only adds an eager-mode check to this one.
    """
    from tensorflow.python.saved_model import utils_impl

    return utils_impl.build_tensor_info_internal(tensor)


@contextlib.contextmanager
def tf1_graph_building(graph: Any) -> Iterator[None]:
    """Builds TF1 control-flow ops (v1 loop gradients, v1 TensorArrays) in ``graph``.

    Inside: tensors compare by identity (TF1's control-flow code uses ``!=``),
    and ``graph``, a FuncGraph, takes TF1 control flow, as the legacy
    ``_FuncGraph`` (recognised by its ``_captured`` attribute) did.
    """
    from tensorflow.python.ops import control_flow_util

    previous_equality = _tensor_equality(False)
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
        _tensor_equality(previous_equality)


def _tensor_equality(enabled: bool) -> bool:
    """Sets whether ``==`` on tensors is elementwise (TF2) or identity (TF1); returns the old value."""
    import tensorflow as tf

    previous = tf.Tensor._USE_EQUALITY
    tf.Tensor._USE_EQUALITY = enabled
    return previous


def stop_recording() -> contextlib.AbstractContextManager:
    """A context in which no GradientTape records (variable watchers still see reads)."""
    from tensorflow.python.eager import record

    return record.stop_recording()


def mark_variables_read(variables: Any) -> None:
    """Tells tapes and variable watchers that ``variables`` are read (as a call would)."""
    from tensorflow.python.ops import resource_variable_ops

    for variable in variables:
        resource_variable_ops.variable_accessed(variable)


def call_flat(function: Any, args: Any, captured_inputs: Any = None) -> Any:
    """Calls a concrete function on its flat inputs, skipping argument binding.

    ``ConcreteFunction.__call__`` first tries to bind the arguments to the
    function's structured signature; a pruned function has none, so each call
    pays for a raised and caught TypeError (about 150 us) before the flat path.
    ``captured_inputs`` replaces the function's own (same order), e.g. to run
    it on a tf.distribute replica's copies of its variables.
    """
    if captured_inputs is None:
        captured_inputs = function.captured_inputs
    return function._call_flat(args, captured_inputs)


def anonymous_variable_handle(dtype: Any, shape: Any) -> Any:
    """A new variable's handle, freed with its last reference (as eager variables are),
    whether created eagerly or each time a function runs."""
    import tensorflow as tf
    from tensorflow.python.eager import context

    return tf.raw_ops.VarHandleOp(dtype=dtype, shape=shape, container="",
                                  shared_name=context.anonymous_name())


def current_handle(variable: Any) -> Any:
    """``variable.handle`` where the caller runs.

    Inside ``strategy.run`` (Keras' train and predict steps) a tf.distribute
    variable's ``handle`` is the current replica's copy; in cross-replica
    context it raises, and the first copy is used, as the variable's reads do.
    """
    try:
        return variable.handle
    except ValueError:
        return variable.values[0].handle


def prune_with_keyword_inputs(wrapped: Any, feeds: Any, fetches: Any, specs: dict) -> Any:
    """``wrapped.prune`` into a function called with keyword inputs named as ``specs``.

    ``specs`` maps each keyword to its ``tf.TensorSpec`` in the order of
    ``feeds``, which must be sorted by name (a dict input signature flattens
    that way, and a saved signature binds keywords in that order). TF >= 2.17
    binds keywords with ``are_keyword_args_also_positional``; before, the
    pruned function takes tensors only, so it is given a subclass that
    converts lists and arrays as later releases (and their hub.load) do.
    """
    if "are_keyword_args_also_positional" in inspect.signature(wrapped.prune).parameters:
        function = wrapped.prune(feeds=feeds, fetches=fetches, input_signature=((), specs),
                                 are_keyword_args_also_positional=True)
    else:
        function = wrapped.prune(feeds=feeds, fetches=fetches, input_signature=((), specs))
        function.__class__ = _converting_subclass(type(function))
    function._arg_keywords = list(specs)
    function._num_positional_args = 1 if len(specs) == 1 else 0
    return function


_CONVERTING_SUBCLASSES: dict[type, type] = {}


def _converting_subclass(function_class: type) -> type:
    cached = _CONVERTING_SUBCLASSES.get(function_class)
    if cached is not None:
        return cached
    import tensorflow as tf

    def to_tensor(value, spec):
        if isinstance(value, (tf.Tensor, tf.Variable)):
            return value
        return tf.convert_to_tensor(value, dtype=spec.dtype)

    class ConvertingKeywordFunction(function_class):
        """A pruned signature that converts non-tensor inputs to its input dtypes."""

        def __call__(self, *args, **kwargs):
            specs = self._func_graph.structured_input_signature[1]
            args = tuple(to_tensor(v, specs[k]) for k, v in zip(self._arg_keywords, args))
            kwargs = {k: to_tensor(v, specs[k]) if k in specs else v for k, v in kwargs.items()}
            return super().__call__(*args, **kwargs)

    _CONVERTING_SUBCLASSES[function_class] = ConvertingKeywordFunction
    return ConvertingKeywordFunction


def building_wrapped_function() -> bool:
    """True inside ``tf.compat.v1.wrap_function`` (a FuncGraph that runs only what is pruned).

    Such a graph keeps TF1 collections and lifts the variables made in it, so
    ``hub.Module`` builds its state there as in a TF1 graph (as tensorflow_hub
    did); a ``tf.function`` graph runs every stateful op and cannot.
    """
    import tensorflow as tf
    from tensorflow.python.eager import wrap_function

    graph = tf.compat.v1.get_default_graph()
    if not graph.building_function:
        return False
    for entry in getattr(graph, "_variable_creator_stack", None) or []:
        creator = entry[-1] if isinstance(entry, tuple) else entry  # (priority, creator)
        if isinstance(getattr(creator, "__self__", None), wrap_function.VariableHolder):
            return True
    return False


def keep_autograph_out() -> None:
    """Tells autograph to call hubcompat's functions as they are, not convert them.

    ``hubcompat.load(h)`` inside a ``tf.function`` would otherwise have its
    whole call tree converted, with a warning for each function autograph
    cannot convert (``os.path.isfile``, ...). TensorFlow and Keras are on
    autograph's list for the same reason.
    """
    from tensorflow.python.autograph.core import config

    if not any(isinstance(rule, config.DoNotConvert) and rule.matches("hubcompat")
               for rule in config.CONVERSION_RULES):
        config.CONVERSION_RULES = (config.DoNotConvert("hubcompat"), *config.CONVERSION_RULES)


def building_tpu_function() -> bool:
    """True while a function graph is built under a TPU replicate context (TPUEstimator,
    ``tpu.replicate``, ...): ``hub.Module`` then creates its state in the outer graph,
    as tensorflow_hub did (its ``_is_tpu_graph_function``: the context's class name)."""
    import tensorflow as tf

    graph = tf.compat.v1.get_default_graph()
    return graph.building_function and type(
        graph._get_control_flow_context()).__name__.endswith("TPUReplicateContext")


def capture(graph: Any, tensor: Any) -> Any:
    """``tensor`` of an outer graph as an input of the function graph ``graph``."""
    return graph.capture(tensor)


def estimator_module() -> Any:
    """``tf.compat.v1.estimator`` where TensorFlow still has it (TF <= 2.15), else ``None``."""
    try:
        from tensorflow.compat.v1 import estimator
    except ImportError:  # TF >= 2.16 removed tf.estimator
        return None
    return estimator
