"""What a :class:`~hubcompat.keras_layer.KerasLayer` calls, decided once at construction.

``resolve_target`` turns a loaded object plus ``signature`` / ``output_key`` /
``signature_outputs_as_dict`` into a :class:`Target`: a function of
``(inputs, training)``, whether it has a training mode, the input dtypes the
module was exported with, and the output key to pick. The argument checks are
``hub.KerasLayer``'s, except that a TF1 Hub module loaded by hubcompat can be
fine-tuned (its ``{"train"}`` graph gives it a training mode).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import tensorflow as tf

from hubcompat import errors
from hubcompat._tf2_call import call_traces, declared_input_signature, takes_training
from hubcompat.tf1.adapter import DEFAULT_OUTPUT, DEFAULT_SIGNATURE, TF1ModuleAdapter

#: The input dtypes a model was exported with: a tf.DType (one input), a dict input
#: name -> tf.DType, or None (unknown).
InputDtypes: TypeAlias = "tf.DType | Mapping[str, tf.DType] | None"


@dataclass(frozen=True)
class Target:
    call: Callable[..., Any]  # call(inputs, arguments, training=None|bool)
    has_training: bool  # call() honours training=
    input_dtypes: InputDtypes
    output_key: str | None
    fine_tunable: bool  # False for signatures without a training mode
    why_not_fine_tunable: str = ""


def is_tf1_module(obj: object) -> bool:
    """A TF1 Hub module, as hubcompat loads it or as ``tf.saved_model.load`` did."""
    return isinstance(obj, TF1ModuleAdapter) or bool(getattr(obj, "_is_hub_module_v1", False))


def check_output_arguments(handle: object, obj: object, signature: str | None,
                           output_key: str | None,
                           as_dict: bool | None) -> tuple[str | None, str | None]:
    """Applies hub.KerasLayer's defaults and checks; returns (signature, output_key)."""
    if is_tf1_module(obj):
        signature = signature or DEFAULT_SIGNATURE
        if not as_dict:
            output_key = output_key or DEFAULT_OUTPUT
    # Each message starts with hub.KerasLayer's sentence, exactly: users' tests match it
    # with assertRaisesRegex. Our details follow.
    if signature and (output_key is not None) == bool(as_dict):
        raise errors.LayerArgumentError(
            "When using a signature, either output_key or signature_outputs_as_dict=True should "
            f"be set. (KerasLayer({handle!r}, signature={signature!r}): exactly one; got "
            f"output_key={output_key!r}, signature_outputs_as_dict={as_dict!r}.)"
        )
    if not signature and as_dict:
        raise errors.LayerArgumentError(
            "signature_outputs_as_dict is only valid if specifying a signature (or using a "
            f"legacy TF1 Hub format). (KerasLayer({handle!r}): pass signature=...; TF1 Hub "
            "modules default to 'default'.)"
        )
    return signature, output_key


def resolve_target(handle: object, obj: Any, signature: str | None,
                   output_key: str | None) -> Target:
    if isinstance(obj, TF1ModuleAdapter):
        return _adapter_target(handle, obj, signature, output_key)
    if signature:
        return _signature_target(handle, obj, signature, output_key)
    if not callable(obj):
        raise errors.LayerArgumentError(
            f"KerasLayer({handle!r}): the loaded object is not callable"
            + (f"; it has signatures {sorted(obj.signatures)}: pass signature=..."
               if getattr(obj, "signatures", None) else " and has no signatures.")
        )
    return Target(
        call=lambda inputs, arguments, **kw: obj(inputs, **arguments, **kw),
        has_training=takes_training(obj),
        input_dtypes=_call_input_dtypes(obj),
        output_key=output_key,
        fine_tunable=True,
    )


def _adapter_target(handle: object, adapter: TF1ModuleAdapter, signature: str | None,
                    output_key: str | None) -> Target:
    names = adapter.get_signature_names()
    if signature not in names:
        raise _unknown_signature(handle, signature, names)
    # An unknown output_key is reported by the first call, as hub.KerasLayer did.
    outputs = adapter.get_output_info_dict(signature)
    info = adapter.get_input_info_dict(signature)
    dtypes = {key: desc.dtype for key, desc in info.items()}

    def call(inputs: Any, arguments: Mapping[str, Any], training: bool = False) -> dict[str, Any]:
        result = adapter(_merge_arguments(inputs, arguments, sorted(info)), training=training,
                         signature=signature, as_dict=True)
        # Pruned graphs can lose static shapes (e.g. after a partitioned
        # embedding lookup); the signature still declares them, and Keras
        # needs them to build the next layer.
        for key, tensor in result.items():
            if isinstance(tensor, tf.Tensor) and key in outputs:
                declared = outputs[key].shape
                if tensor.shape.is_compatible_with(declared):
                    tensor.set_shape(tensor.shape.merge_with(declared))
        return result

    return Target(call=call, has_training=True,
                  input_dtypes=next(iter(dtypes.values())) if len(dtypes) == 1 else dtypes,
                  output_key=output_key, fine_tunable=True)


def _signature_target(handle: object, obj: Any, signature: str,
                      output_key: str | None) -> Target:
    signatures = getattr(obj, "signatures", None)
    if signatures is None:
        raise errors.LayerArgumentError(
            f"KerasLayer({handle!r}, signature={signature!r}): the loaded object has no signatures."
        )
    if signature not in signatures:
        raise _unknown_signature(handle, signature, signatures)
    function = signatures[signature]
    specs = function.structured_input_signature[1]
    names = sorted(specs)

    def call(inputs: Any, arguments: Mapping[str, Any]) -> Any:
        return function(**_merge_arguments(inputs, arguments, names))

    why = ("Setting hub.KerasLayer.trainable = True is unsupported when loading from the TF1 "
           "Hub format with tf.saved_model.load() or hub.load() (no training mode); load the "
           "module with hubcompat.load() (or pass its handle) to fine-tune it."
           if is_tf1_module(obj) else
           "Setting hub.KerasLayer.trainable = True is unsupported when calling a SavedModel "
           "signature: signatures have no training mode, update ops or regularization losses; "
           "use a SavedModel with a @tf.function __call__ (no signature=) to fine-tune.")
    dtypes = {name: spec.dtype for name, spec in specs.items()}
    return Target(call=call, has_training=False,
                  input_dtypes=next(iter(dtypes.values())) if len(dtypes) == 1 else dtypes,
                  output_key=output_key, fine_tunable=False, why_not_fine_tunable=why)


def _unknown_signature(handle: object, signature: str | None,
                       available: Iterable[str]) -> errors.UnknownSignatureError:
    return errors.UnknownSignatureError(
        f"Unknown signature {signature} in {handle} (available signatures: "
        f"{', '.join(sorted(available)) or 'none'})."
    )


def _merge_arguments(inputs: Any, arguments: Mapping[str, Any], names: list[str]) -> Any:
    """One dict of signature inputs from the layer's inputs and ``arguments``."""
    if isinstance(inputs, Mapping):
        return {**arguments, **inputs}
    if not arguments:
        return inputs if len(names) != 1 else {names[0]: inputs}
    rest = [name for name in names if name not in arguments]
    if len(rest) != 1:
        raise errors.InputError(
            f"Cannot tell which signature input gets the layer's input: inputs {names}, "
            f"arguments {sorted(arguments)}. Pass the inputs as a dict."
        )
    return {**arguments, rest[0]: inputs}


def _call_input_dtypes(obj: Any) -> InputDtypes:
    """The dtype(s) ``obj.__call__`` was traced for, when all traces agree."""
    spec = declared_input_signature(obj)
    if spec:
        first = spec[0]
    else:
        firsts = [trace.args[0] for trace in call_traces(obj) if trace.args]
        if not firsts:
            return None
        first = firsts[0]
        if any(_dtypes_of(f) != _dtypes_of(first) for f in firsts[1:]):
            return None
    return _dtypes_of(first)


def _dtypes_of(spec: Any) -> InputDtypes:
    if isinstance(spec, tf.TypeSpec) and hasattr(spec, "dtype"):
        return spec.dtype
    if isinstance(spec, Mapping):
        dtypes = {key: _dtypes_of(value) for key, value in spec.items()}
        return None if any(d is None for d in dtypes.values()) else dtypes
    return None


def to_tensors(inputs: Any, dtypes: InputDtypes) -> Any:
    """Python lists and numpy arrays as tensors of the model's input dtypes."""
    if isinstance(inputs, Mapping):
        return {key: to_tensors(value, dtypes.get(key) if isinstance(dtypes, Mapping) else None)
                for key, value in inputs.items()}
    # Python scalars too: Keras 3 takes only tensors as positional inputs.
    if not isinstance(inputs, (list, tuple, np.ndarray, *_PLAIN)) or not _all_plain(inputs):
        return inputs
    dtype = dtypes if isinstance(dtypes, tf.DType) else None
    array = np.asarray(inputs)
    if dtype is not None and array.dtype.kind in "biuf" and (dtype.is_floating or dtype.is_integer):
        return tf.constant(array.astype(dtype.as_numpy_dtype))
    return tf.constant(array)


_PLAIN = (bool, int, float, str, bytes, np.generic)


def _all_plain(value: object) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype != object or all(_all_plain(v) for v in value.ravel())
    if isinstance(value, (list, tuple)):
        return all(_all_plain(v) for v in value)
    return isinstance(value, _PLAIN)


def check_symbolic_dtypes(layer_name: str, inputs: Any, dtypes: InputDtypes) -> None:
    """Refuses a graph placeholder of a dtype the model cannot take, as NotImplementedError.

    Keras 3's Sequential builds itself on a placeholder of the first layer's
    compute dtype (float32) when no ``keras.Input`` is given; for a text model
    that guess is wrong. Sequential treats NotImplementedError as "cannot
    build yet" and builds on the first real batch instead, as tf-keras did.
    """
    if dtypes is None or tf.executing_eagerly():
        return
    pairs = ([(inputs, dtypes)] if isinstance(dtypes, tf.DType) and isinstance(inputs, tf.Tensor)
             else [(inputs[k], d) for k, d in dtypes.items()
                   if isinstance(inputs, Mapping) and isinstance(inputs.get(k), tf.Tensor)]
             if isinstance(dtypes, Mapping) else [])
    for tensor, dtype in pairs:
        if tensor.dtype != dtype and not (tensor.dtype.is_floating and dtype.is_floating):
            raise errors.SymbolicInputDtypeError(
                f"Layer {layer_name!r} got a symbolic {tensor.dtype.name} tensor, but its "
                f"model takes {dtype.name}. When Keras builds a model without "
                f"keras.Input it guesses float32: start the model with "
                f"keras.Input(shape=..., dtype={dtype.name!r})."
            )


def cast_inputs(inputs: Any, dtypes: InputDtypes) -> Any:
    """Casts floating inputs to the floating dtypes the module was exported with.

    Under a mixed-precision policy the layers before this one hand over
    float16; the module's graph only accepts what it was exported with.
    """
    if dtypes is None:
        return inputs
    if isinstance(dtypes, Mapping):
        if not isinstance(inputs, Mapping):
            return inputs
        return {key: _cast_float(value, dtypes.get(key)) for key, value in inputs.items()}
    if isinstance(inputs, Mapping):
        return inputs
    return _cast_float(inputs, dtypes)


def _cast_float(value: Any, dtype: tf.DType | None) -> Any:
    if (dtype is not None and dtype.is_floating and isinstance(value, tf.Tensor)
            and value.dtype.is_floating and value.dtype != dtype):
        return tf.cast(value, dtype)
    return value


def cast_outputs(outputs: Any, dtype: tf.DType | str) -> Any:
    """Floating outputs in ``dtype`` (the layer's compute dtype)."""
    dtype = tf.as_dtype(dtype)

    def cast(value: Any) -> Any:
        if isinstance(value, tf.Tensor) and value.dtype.is_floating and value.dtype != dtype:
            return tf.cast(value, dtype)
        return value

    return tf.nest.map_structure(cast, outputs)
