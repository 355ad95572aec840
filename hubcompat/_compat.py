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


# --- Keras 3 or tf-keras -------------------------------------------------------
# The one decision point: every Keras object hubcompat builds comes from
# keras_module(), and the few behaviours that differ between Keras 3 and
# tf-keras (Keras 2) are the methods of the base class keras_layer_base()
# returns. Nothing outside this module asks which Keras is in use.


@functools.cache
def keras_module():
    """``tf_keras`` when ``TF_USE_LEGACY_KERAS`` is set, else ``keras``.

    TensorFlow itself reads ``TF_USE_LEGACY_KERAS`` when it is imported (for
    ``tf.keras``); reading the same setting keeps hubcompat's layers on the
    same Keras as the user's ``tf.keras`` code. On TF < 2.16 ``keras`` is
    Keras 2, which behaves like tf-keras.
    """
    from hubcompat import config

    if config.use_legacy_keras():
        import tf_keras

        return tf_keras
    import keras

    return keras


def _is_keras3(keras) -> bool:
    return int(keras.__version__.split(".")[0]) >= 3


@functools.cache
def keras_layer_base() -> type:
    """A ``Layer`` subclass of :func:`keras_module` with the version-specific hooks.

    Subclasses use ``_hc_track_existing(variable, trainable)`` to expose a
    ``tf.Variable`` they did not create as a layer weight,
    ``_hc_add_loss_fn(fn)`` for a no-argument loss counted while the layer is
    trainable, and ``_hc_default_training()`` for ``training=None``.
    """
    keras = keras_module()
    return _keras3_layer_base(keras) if _is_keras3(keras) else _keras2_layer_base(keras)


def _weight_name(variable) -> str:
    # Keras 3 names may not hold "/"; ":0" is noise in both.
    return variable.name.split(":")[0].replace("/", "_")


def _keras3_layer_base(keras) -> type:
    class Keras3LayerBase(keras.layers.Layer):
        # Keras 3's Sequential builds itself only when its first layer is a
        # keras.Input or has an ``input_shape`` property, and gives that input
        # the layer's ``compute_dtype``; unbuilt, a model saves as .keras but
        # tf.saved_model.save / model.export fail ("has no defined inputs").
        # So the layer reports the shape and dtype of the model's one input
        # (``_hc_input_spec()``, None when unknown), and an ``input_shape=``
        # argument (the tutorials' KerasLayer(h, input_shape=[], dtype=tf.string))
        # is kept here instead of becoming a float32 InputLayer.
        _hc_keeps_input_shape = True

        @property
        def input_shape(self):
            spec = self._hc_input_spec()
            if spec is None:
                raise AttributeError(f"{type(self).__name__} has no known input shape")
            return spec[1]

        @property
        def compute_dtype(self):
            # e.g. "string": the dtype Sequential gives its input. As
            # keras.layers.TextVectorization does, variable_dtype follows, so
            # that Keras opens no float autocast scope for a string layer (the
            # layer's own policy, which call() uses, is unchanged).
            return self._hc_non_float_input() or super().compute_dtype

        @property
        def variable_dtype(self):
            return self._hc_non_float_input() or super().variable_dtype

        def _hc_non_float_input(self):
            spec = self._hc_input_spec() if hasattr(self, "_hc_input") else None
            if spec is not None and not keras.backend.is_float_dtype(spec[0]):
                return spec[0]
            return None

        def _hc_track_existing(self, variable, trainable):
            # keras.Variable keeps a tf.Variable it is given as its value (as
            # keras.layers.TFSMLayer relies on), so the optimizer's updates and
            # .keras weight files reach the loaded object's own variables.
            wrapped = keras.Variable(
                initializer=variable, trainable=trainable, autocast=False,
                dtype=variable.dtype, name=_weight_name(variable),
            )
            self._track_variable(wrapped)

        def _hc_add_loss_fn(self, fn):
            self._hc_loss_fns.append(fn)

        def _get_own_losses(self):
            # Keras 3 only keeps tensors added during call(); Model.losses asks
            # each layer for _get_own_losses(), so callable losses go here.
            losses = super()._get_own_losses()
            if self.trainable:
                losses.extend(fn() for fn in self._hc_loss_fns)
            return losses

        def _hc_default_training(self):
            return False

        def compute_output_spec(self, *args, **kwargs):
            # Always trace call() (it applies output_shape itself); Keras 3
            # would otherwise switch to compute_output_shape() for every layer
            # once it is overridden, and that only knows declared shapes.
            return keras.Operation.compute_output_spec(self, *args, **kwargs)

        def compute_output_shape(self, input_shape):
            if self._hc_output_shape is not None:
                return _declared_output_shape(self._hc_output_shape, input_shape, tuple)
            # As tf-keras did for hub.KerasLayer: trace call() on a symbolic input.
            import tensorflow as tf

            dtypes = self._hc_target.input_dtypes

            def symbolic(shape, dtype):
                return keras.KerasTensor(tuple(shape), dtype=(dtype or tf.float32).name)

            if isinstance(input_shape, dict):
                inputs = {key: symbolic(shape, dtypes.get(key) if isinstance(dtypes, dict)
                                        else None) for key, shape in input_shape.items()}
            else:
                inputs = symbolic(input_shape, dtypes if isinstance(dtypes, tf.DType) else None)
            spec = self.compute_output_spec(inputs)
            return tf.nest.map_structure(lambda t: tuple(t.shape), spec)

    return Keras3LayerBase


def _keras2_layer_base(keras) -> type:
    import tensorflow as tf

    class Keras2LayerBase(keras.layers.Layer):
        _hc_keeps_input_shape = False  # tf-keras builds from input_shape= and dtype= itself

        def _hc_track_existing(self, variable, trainable):
            self.add_weight(
                name=_weight_name(variable), shape=variable.shape, dtype=variable.dtype,
                trainable=trainable, experimental_autocast=False,
                getter=lambda *_, **__: variable,
            )

        def _hc_add_loss_fn(self, fn):
            self._hc_loss_fns.append(fn)
            self.add_loss(lambda: fn() if self.trainable else tf.constant(0.0))

        def _hc_default_training(self):
            return keras.backend.learning_phase()

        def compute_output_shape(self, input_shape):
            # Keras 3 traces call() instead, which applies output_shape itself.
            if self._hc_output_shape is None:
                return super().compute_output_shape(input_shape)
            return _declared_output_shape(self._hc_output_shape, input_shape, tf.TensorShape)

    return Keras2LayerBase


def _declared_output_shape(output_shape, input_shape, shape_type):
    """``output_shape`` (a nest of TensorShape) with the input's batch size in front."""
    import tensorflow as tf

    if isinstance(input_shape, tf.TensorShape):
        input_shape = input_shape.as_list()
    batch = input_shape[0] if isinstance(input_shape, (list, tuple)) and input_shape and not \
        isinstance(input_shape[0], (list, tuple, dict, tf.TensorShape)) else None
    return tf.nest.map_structure(
        lambda shape: shape_type([batch, *shape.as_list()]), output_shape)


def register_keras_serializable(cls: type) -> type:
    """Registers ``cls`` as ``hubcompat>ClassName`` so ``load_model`` finds it."""
    return keras_module().saving.register_keras_serializable(package="hubcompat")(cls)


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


def call_flat(function, args, captured_inputs=None):
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


def anonymous_variable_handle(dtype, shape):
    """A new variable's handle, freed with its last reference (as eager variables are),
    whether created eagerly or each time a function runs."""
    import tensorflow as tf
    from tensorflow.python.eager import context

    return tf.raw_ops.VarHandleOp(dtype=dtype, shape=shape, container="",
                                  shared_name=context.anonymous_name())


def current_handle(variable):
    """``variable.handle`` where the caller runs.

    Inside ``strategy.run`` (Keras' train and predict steps) a tf.distribute
    variable's ``handle`` is the current replica's copy; in cross-replica
    context it raises, and the first copy is used, as the variable's reads do.
    """
    try:
        return variable.handle
    except ValueError:
        return variable.values[0].handle


def prune_with_keyword_inputs(wrapped, feeds, fetches, specs: dict):
    """``wrapped.prune`` into a function called with keyword inputs named as ``specs``.

    ``specs`` maps each keyword to its ``tf.TensorSpec`` in the order of
    ``feeds``, which must be sorted by name (a dict input signature flattens
    that way, and a saved signature binds keywords in that order). TF >= 2.17
    binds keywords with ``are_keyword_args_also_positional``; before, the
    pruned function takes tensors only, so it is given a subclass that
    converts lists and arrays as later releases (and their hub.load) do.
    """
    import inspect

    if "are_keyword_args_also_positional" in inspect.signature(wrapped.prune).parameters:
        function = wrapped.prune(feeds=feeds, fetches=fetches, input_signature=((), specs),
                                 are_keyword_args_also_positional=True)
    else:
        function = wrapped.prune(feeds=feeds, fetches=fetches, input_signature=((), specs))
        function.__class__ = _converting_subclass(type(function))
    function._arg_keywords = list(specs)
    function._num_positional_args = 1 if len(specs) == 1 else 0
    return function


@functools.cache
def _converting_subclass(function_class: type) -> type:
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


def estimator_module():
    """``tf.compat.v1.estimator`` where TensorFlow still has it (TF <= 2.15), else ``None``."""
    try:
        from tensorflow.compat.v1 import estimator
    except ImportError:  # TF >= 2.16 removed tf.estimator
        return None
    return estimator
