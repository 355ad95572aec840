"""``hubcompat.KerasLayer``: a TF Hub model as a Keras layer, on Keras 3 or tf-keras.

``tensorflow_hub.KerasLayer`` subclasses tf-keras only, so Keras 3 (the default
since TF 2.16) refuses it in ``Sequential`` and functional models; it also
cannot fine-tune TF1 Hub modules and drops ``tags`` from its config. This layer
takes the same arguments and follows the same conventions, is a layer of
whichever Keras :func:`hubcompat._keras.keras_module` picks, and fine-tunes
TF1 Hub modules through :class:`hubcompat.tf1.adapter.TF1ModuleAdapter`
(their ``{"train"}`` graph, update ops and regularization losses).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

import tensorflow as tf

from hubcompat import _keras, errors
from hubcompat._layer_target import (
    cast_inputs,
    cast_outputs,
    check_output_arguments,
    check_symbolic_dtypes,
    resolve_target,
    to_tensors,
)
from hubcompat._tf2_call import call_traces
from hubcompat.loader import Tags, load
from hubcompat.resolvers.local import local_path
from hubcompat.tf1.adapter import TF1ModuleAdapter
from hubcompat.tf1.module_reader import tags_key

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
# (dtype name, shape with the batch dimension None) of the model's one input.
_InputSpec: TypeAlias = "tuple[str, tuple[int | None, ...]]"


@dataclass(frozen=True)
class _Settings:
    """The constructor arguments, kept out of Keras/TF attribute tracking."""

    handle: Any  # a str or os.PathLike, or an already loaded object
    config_handle: str | None = None  # what get_config() saves: see _config_handle()
    arguments: dict[str, Any] = field(default_factory=dict)
    tags: frozenset[str] | None = None
    signature: str | None = None
    output_key: str | None = None
    signature_outputs_as_dict: bool | None = None
    output_shape: Any = None  # a nest of tf.TensorShape, or None
    load_options: Any = None


class KerasLayer(_keras.keras_layer_base()):  # type: ignore[misc]  # Keras 3's or tf-keras' Layer
    """Wraps a SavedModel or a TF1 Hub module as a Keras layer.

    Arguments are those of ``hub.KerasLayer``:

    - ``handle``: a path/URL handle (needed for ``get_config`` and ``.keras``
      saving) or an object from :func:`hubcompat.load` / ``tf.saved_model.load``.
    - ``trainable``: fine-tune the model's trainable variables. Works for TF2
      SavedModels called through ``__call__`` and for TF1 Hub modules (their
      ``{"train"}`` graph runs when the model is training); not for signatures.
    - ``arguments``: extra keyword arguments for the callable (JSON-serializable
      to be saved in the config).
    - ``signature`` / ``output_key`` / ``signature_outputs_as_dict``: call a
      named signature and pick one output, or return them all as a dict. TF1
      Hub modules default to signature ``"default"``, output ``"default"``.
    - ``output_shape``: output shape(s) without the batch dimension.
    - ``load_options``: ``tf.saved_model.LoadOptions`` for a string handle.
    - ``tags``: the tag set to load (TF1 Hub modules: default ``set()``).
    - ``**kwargs``: for Keras' ``Layer`` (``name``, ``dtype``, ...).

    Under a mixed-precision policy the model still receives the dtypes it was
    exported with, and floating outputs come back in the layer's compute dtype.
    """

    # hub.KerasLayer's parameters, in its order (_sentinel stops further positional ones).
    def __init__(self, handle: object, trainable: bool = False,
                 arguments: Mapping[str, Any] | None = None, _sentinel: object = None,
                 tags: Tags = None, signature: str | None = None,
                 signature_outputs_as_dict: bool | None = None, output_key: str | None = None,
                 output_shape: Any = None, load_options: Any = None, **kwargs: Any) -> None:
        if _sentinel is not None:  # tensorflow_hub ignored it silently
            _log.warning("KerasLayer(%r): a fourth positional argument (%r) is ignored, as "
                         "hub.KerasLayer ignored it; pass tags=, signature=, ... by name.",
                         handle, _sentinel)
        obj = _load(handle, tags, load_options)
        signature, output_key = check_output_arguments(
            handle, obj, signature, output_key, signature_outputs_as_dict)
        # As hub.KerasLayer: trainable=True is checked by the first call (and
        # `layer.trainable = True` may come later anyway).
        target = resolve_target(handle, obj, signature, output_key)
        if trainable:
            _check_distribution_scope(handle, obj)
        # The module gets its own dtypes (cast in call()); Keras must not cast
        # the inputs to a mixed policy's compute dtype first.
        kwargs.setdefault("autocast", False)
        input_shape = kwargs.pop("input_shape", None) if self._hc_keeps_input_shape else None
        super().__init__(trainable=bool(trainable), **kwargs)
        object.__setattr__(self, "_hc_input", _input_spec(
            obj, signature, arguments, input_shape, self.dtype_policy.compute_dtype))
        settings = _Settings(
            handle=handle,
            config_handle=_config_handle(handle),
            arguments=dict(arguments or {}),
            tags=tags_key(tags) if tags is not None else None,  # "train" is one tag
            signature=signature,
            output_key=output_key,
            signature_outputs_as_dict=signature_outputs_as_dict,
            output_shape=_to_shapes(output_shape) if output_shape else None,
            load_options=load_options,
        )
        # object.__setattr__: plain Python state, not Keras/TF dependencies.
        object.__setattr__(self, "_hc", settings)
        object.__setattr__(self, "_hc_target", target)
        object.__setattr__(self, "_hc_loss_fns", [])
        object.__setattr__(self, "_hc_warned_no_weights", False)
        # A tracked attribute: tf.saved_model.save(model) exports the loaded
        # object's tables, assets and functions with the layer.
        self._func = obj
        self._add_loaded_weights(obj)
        if not trainable:
            _freeze_in_tf1_graph(obj)
        self.built = True

    def _add_loaded_weights(self, obj: Any) -> None:
        trainable = list(getattr(obj, "trainable_variables", []) or [])
        seen = {id(v) for v in trainable}
        for variable in trainable:
            self._hc_track_existing(variable, True)
        for variable in getattr(obj, "variables", []) or []:
            if id(variable) not in seen:
                seen.add(id(variable))
                self._hc_track_existing(variable, False)
        for loss in getattr(obj, "regularization_losses", []) or []:
            if not callable(loss):
                raise errors.LayerArgumentError(
                    f"KerasLayer({self._hc.handle!r}): regularization_losses must be "
                    f"callables returning a scalar; got {type(loss).__name__}."
                )
            self._hc_add_loss_fn(loss)

    @property
    def _hc_output_shape(self) -> Any:
        return self._hc.output_shape

    @property
    def _output_shape(self) -> Any:
        # hub.KerasLayer's attribute, set only when output_shape= was given;
        # tensorflow_hub's own tests (and some users) read it.
        if self._hc.output_shape is None:
            raise AttributeError("_output_shape")
        return self._hc.output_shape

    def _hc_input_spec(self) -> _InputSpec | None:
        """(dtype name, shape with batch None) of the model's one input, or None."""
        return self._hc_input

    @property
    def resolved_object(self) -> Any:
        """The object ``handle`` resolved to (e.g. to re-export after fine-tuning)."""
        return self._func

    # --- calling ---------------------------------------------------------------

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        # hub.KerasLayer took Python lists (layer(["a sentence"])); Keras 3
        # only takes tensors as positional inputs.
        return super().__call__(to_tensors(inputs, self._hc_target.input_dtypes), *args, **kwargs)

    # No autograph: call() has no tensor-dependent Python control flow, and
    # autograph would wrap our errors in StagingError.
    @tf.autograph.experimental.do_not_convert
    def call(self, inputs: Any, training: bool | tf.Tensor | None = None) -> Any:
        self._check_trainability()
        target = self._hc_target
        check_symbolic_dtypes(self.name, inputs, target.input_dtypes)
        model_inputs = cast_inputs(inputs, target.input_dtypes)
        arguments = self._hc.arguments
        if not target.has_training:
            result = target.call(model_inputs, arguments)
        else:
            # As hub.KerasLayer (and BatchNormalization): training mode only
            # when the layer is trainable *and* the model is training.
            if not self.trainable:
                training = False
            elif training is None:
                training = self._hc_default_training()
            result = _smart_cond(
                training,
                lambda: target.call(model_inputs, arguments, training=True),
                lambda: target.call(model_inputs, arguments, training=False),
            )
        if target.output_key is not None:
            result = self._pick_output(result, target.output_key)
        result = self._apply_output_shape(inputs, result)
        policy = self.dtype_policy
        if policy.compute_dtype != policy.variable_dtype:  # a mixed policy
            result = cast_outputs(result, policy.compute_dtype)
        return result

    def _pick_output(self, result: Any, key: str) -> Any:
        # hub.KerasLayer's wording, which users' tests match.
        if not isinstance(result, Mapping):
            raise errors.LayerArgumentError(
                f"KerasLayer({self._hc.handle!r}, output_key={key!r}): Specifying `output_key` "
                f"is forbidden if output type {type(result)} is not a dict; drop output_key."
            )
        if key not in result:
            raise errors.LayerArgumentError(
                f"KerasLayer({self._hc.handle!r}): KerasLayer output does not contain the output "
                f"key {key} (available: {', '.join(sorted(result))})."
            )
        return result[key]

    def _apply_output_shape(self, inputs: Any, outputs: Any) -> Any:
        shapes = self._hc.output_shape
        if shapes is None:
            return outputs
        first = tf.nest.flatten(inputs)[0]
        shape = getattr(first, "shape", None)
        batch = shape[0] if shape is not None and len(shape) else None

        def set_shape(tensor: tf.Tensor, shape: tf.TensorShape) -> None:
            tensor.set_shape(tf.TensorShape([batch]).concatenate(shape))

        tf.nest.map_structure(set_shape, outputs, shapes)
        return outputs

    def _check_trainability(self) -> None:
        # Here and not only in __init__: `layer.trainable = True` may come later.
        if not self.trainable:
            return
        target = self._hc_target
        if not target.fine_tunable:
            raise errors.LayerArgumentError(
                f"KerasLayer({self._hc.handle!r}, trainable=True): {target.why_not_fine_tunable}"
            )
        # As hub.KerasLayer: zero trainable weights is suspicious but valid; log once.
        if not self.trainable_weights and not self._hc_warned_no_weights:
            object.__setattr__(self, "_hc_warned_no_weights", True)
            _log.error("hub.KerasLayer is trainable but has zero trainable weights "
                       "(KerasLayer(%r)).", self._hc.handle)

    # --- serialization ---------------------------------------------------------

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        settings = self._hc
        if not isinstance(settings.handle, (str, os.PathLike)):
            raise errors.LayerConfigError(
                "Can only generate a valid config for `hub.KerasLayer(handle, ...)` that uses a "
                f"string `handle`; got a {type(settings.handle).__name__}. Build the layer as KerasLayer('path/or/url', ...) "
                "to save it with model.save(), or re-export the loaded object with "
                "tf.saved_model.save()."
            )
        config["handle"] = settings.config_handle
        if settings.output_shape is not None:
            config["output_shape"] = _checked_json(
                tf.nest.map_structure(lambda s: tuple(s.as_list()), settings.output_shape),
                "output_shape", settings.handle)
        if settings.arguments:
            config["arguments"] = _checked_json(settings.arguments, "arguments", settings.handle)
        for key in ("signature", "output_key", "signature_outputs_as_dict"):
            value = getattr(settings, key)
            if value:
                config[key] = value
        if settings.tags is not None:
            config["tags"] = sorted(settings.tags)
        # load_options are not saved: they describe where the model is loaded
        # (e.g. an I/O device), not the model, as in hub.KerasLayer.
        return config


_keras.register_keras_serializable(KerasLayer)  # registers and returns the class itself


def _load(handle: object, tags: Tags, load_options: Any) -> Any:
    if isinstance(handle, (str, os.PathLike)):
        return load(handle, tags=tags, options=load_options)
    for name, value in (("tags", tags), ("load_options", load_options)):
        if value is not None:
            raise errors.LayerArgumentError(
                f"KerasLayer: Passing a callable handle is mutually exclusive with setting "
                f"{name}: {name}= applies to a string handle only, and the handle given is an "
                f"already loaded {type(handle).__name__}."
            )
    return handle


def _config_handle(handle: object) -> str | None:
    """The handle a config saves: a local path made absolute, so that a saved model
    reloads from any working directory (issue 21); any other handle as given."""
    if not isinstance(handle, (str, os.PathLike)):
        return None
    text = os.fspath(handle)
    path = local_path(text)
    if path is None or text.startswith("file://") or not os.path.exists(path):
        return text
    return os.path.abspath(path)


def _freeze_in_tf1_graph(obj: Any) -> None:
    """In TF1 graph code (e.g. an Estimator's model_fn), a frozen layer's variables leave
    ``TRAINABLE_VARIABLES``: ``optimizer.minimize(loss)`` must not fine-tune them.

    As Keras' own ``trainable=False`` layers there; tensorflow_hub's layer froze them
    only because no gradient reached them.
    """
    if tf.executing_eagerly():
        return
    variables = list(getattr(obj, "variables", []) or [])
    frozen = {id(v) for v in variables}
    # hasattr: variables made eagerly (a layer built in a tf.function) have no graph.
    graphs = {id(v.graph): v.graph for v in variables if hasattr(v, "graph")}
    for graph in graphs.values():
        collection = graph.get_collection_ref(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)
        collection[:] = [v for v in collection if id(v) not in frozen]


def _input_spec(obj: Any, signature: str | None, arguments: Mapping[str, Any] | None,
                input_shape: Any, layer_dtype: Any) -> _InputSpec | None:
    """(dtype name, (None, *shape)) of the single tensor the layer feeds the model.

    From ``input_shape=`` when given (with the model's input dtype, else the
    layer's), else from the signature or ``__call__`` when it takes exactly one
    dense tensor of known rank. None when there is no such single input.
    """
    spec = None if arguments else _single_input(obj, signature)
    if input_shape is not None:
        shape = (None, *tf.TensorShape(input_shape).as_list())
        return (spec[0] if spec else tf.as_dtype(layer_dtype).name, shape)
    return spec


def _single_input(obj: Any, signature: str | None) -> _InputSpec | None:
    specs = []
    if isinstance(obj, TF1ModuleAdapter):
        info = obj.get_input_info_dict(signature)
        if len(info) != 1 or next(iter(info.values())).is_sparse:
            return None
        desc = next(iter(info.values()))
        specs = [tf.TensorSpec(desc.shape, desc.dtype)]
    elif signature:
        signatures = getattr(obj, "signatures", None) or {}
        if signature in signatures:
            specs = list(signatures[signature].structured_input_signature[1].values())
    else:
        for trace in call_traces(obj):
            specs.extend(tf.nest.flatten((trace.args[:1], trace.kwargs)))
    if not specs or any(not isinstance(s, tf.TensorSpec) for s in specs):
        return None
    first = specs[0]
    if any(s.dtype != first.dtype or s.shape != first.shape for s in specs[1:]) \
            or len(specs) > 1 and isinstance(obj, TF1ModuleAdapter):
        return None
    if first.shape.rank is None or first.shape.rank < 1:
        return None
    return first.dtype.name, (None, *first.shape.as_list()[1:])


def _check_distribution_scope(handle: object, obj: Any) -> None:
    """Under ``strategy.scope()``, a fine-tuned model's variables must be the strategy's."""
    if not tf.distribute.has_strategy():
        return
    strategy = tf.distribute.get_strategy()
    outside = [v.name for v in getattr(obj, "variables", []) or []
               if not strategy.extended.variable_created_in_scope(v)]
    if outside:
        raise errors.LayerArgumentError(
            f"KerasLayer({handle!r}, trainable=True) is built under "
            f"{type(strategy).__name__}.scope(), but the model's variables ({outside[0]!r}, ...) "
            "were created outside it, so the strategy cannot mirror or update them. Load the "
            "model inside strategy.scope(): pass the handle, or call hubcompat.load() there."
        )


def _smart_cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    if isinstance(pred, (tf.Tensor, tf.Variable)):
        static = tf.get_static_value(pred)
        if static is None:
            return tf.cond(pred, true_fn, false_fn)
        pred = static
    return true_fn() if pred else false_fn()


def _to_shapes(nest: Any) -> Any:
    """A nest of shape-like tuples/lists as a nest of tf.TensorShape."""
    if isinstance(nest, Mapping):
        return {key: _to_shapes(value) for key, value in nest.items()}
    try:
        return tf.TensorShape(nest)
    except TypeError:
        pass
    if isinstance(nest, (list, tuple)):
        return type(nest)(_to_shapes(value) for value in nest)
    raise errors.LayerArgumentError(
        f"KerasLayer(output_shape=...): {nest!r} is not a shape, dict, list or tuple."
    )


def _checked_json(value: _T, name: str, handle: object) -> _T:
    try:
        json.dumps(value)
    except TypeError as e:
        raise errors.LayerArgumentError(
            f"KerasLayer({handle!r}, {name}=...) cannot be saved in a config: {e}."
        ) from e
    return value
