"""Which Keras hubcompat builds on, and the Keras base classes of its layers.

The one decision point between Keras 3 and tf-keras (Keras 2): every Keras
object hubcompat builds comes from :func:`keras_module`, and the few
behaviours that differ between the two are the methods of the base class
:func:`keras_layer_base` returns. Nothing outside this module asks which Keras
is in use. TensorFlow's private APIs are in :mod:`hubcompat._tf_private`.
"""

from __future__ import annotations

import functools
from types import ModuleType


@functools.cache
def keras_module() -> ModuleType:
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


def _is_keras3(keras: ModuleType) -> bool:
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
            # Frozen: a zero per loss, as hub.KerasLayer (tf-keras) gives.
            import tensorflow as tf

            losses = super()._get_own_losses()
            losses.extend(fn() if self.trainable else tf.constant(0.0) for fn in self._hc_loss_fns)
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
