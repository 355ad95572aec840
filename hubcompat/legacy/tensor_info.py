"""Feeding signature inputs and collecting outputs, as ``hub.Module`` did.

What a signature declares is parsed once, by
:func:`hubcompat.tf1.module_reader.parse_tensor_info_map` (``ParsedTensorInfo``);
this module turns a caller's values into tensors that match it, and maps
them onto the graph's tensor names.
"""

from __future__ import annotations

import tensorflow as tf

from hubcompat import errors
from hubcompat.tf1.module_reader import composite_type_spec


def prepare_dict_inputs(inputs, infos: dict) -> dict:
    """``inputs`` as given to ``Module.__call__`` -> a dict keyed like the signature."""
    if inputs is None:
        given = {}
    elif isinstance(inputs, dict):
        given = inputs
    elif len(infos) == 1:
        given = {next(iter(infos)): inputs}
    elif not infos:
        raise errors.InputTypeError("Signature expects no inputs.")
    else:
        raise errors.InputTypeError(
            f"Signature expects multiple inputs. Use a dict. (It takes {sorted(infos)}.)")
    missing, extra = sorted(set(infos) - set(given)), sorted(set(given) - set(infos))
    if missing or extra:
        raise errors.InputTypeError(
            f"Cannot convert dict_inputs: missing {missing!r}, extra given {extra!r}")
    return given


def convert_inputs(given: dict, infos: dict) -> dict:
    """Converts each value to a tensor compatible with its declared dtype and shape."""
    result = {}
    for key, value in sorted(given.items()):
        target = infos[key]
        if isinstance(value, tf.compat.v1.SparseTensorValue):
            value = tf.SparseTensor.from_value(value)
        if isinstance(value, tf.compat.v1.ragged.RaggedTensorValue):
            value = tf.ragged.constant(value.to_list(), dtype=target.dtype,
                                       ragged_rank=value.ragged_rank)
        if not isinstance(value, (tf.SparseTensor, tf.RaggedTensor)):
            try:
                value = tf.compat.v1.convert_to_tensor_or_indexed_slices(value, target.dtype)
            except (TypeError, ValueError) as e:
                raise errors.InputTypeError(f"Can't convert {key!r}: {e}") from e
        got = (tf.SparseTensorSpec(value.shape, value.dtype) if isinstance(value, tf.SparseTensor)
               else tf.RaggedTensorSpec.from_value(value) if isinstance(value, tf.RaggedTensor)
               else tf.TensorSpec(value.shape, value.dtype))
        if not got.is_compatible_with(target.type_spec):
            if type(got) is not type(target.type_spec):
                detail = f"Got {got.value_type.__name__}. Expected {target.type_spec.value_type.__name__}."
            else:
                detail = f"Got {got}. Expected {target.type_spec}."
            raise errors.InputTypeError(f"Can't convert {key!r}: {detail}")
        result[key] = value
    return result


def build_input_map(protomap, inputs: dict) -> dict:
    """Graph tensor names of the signature inputs -> the tensors fed to them."""
    input_map = {}
    for key, info in protomap.items():
        value = inputs[key]
        if info.WhichOneof("encoding") == "coo_sparse":
            input_map[info.coo_sparse.indices_tensor_name] = value.indices
            input_map[info.coo_sparse.values_tensor_name] = value.values
            input_map[info.coo_sparse.dense_shape_tensor_name] = value.dense_shape
        elif info.WhichOneof("encoding") == "composite_tensor":
            components = tf.nest.flatten(value, expand_composites=True)
            for component_info, tensor in zip(info.composite_tensor.components, components):
                input_map[component_info.name] = tensor
        else:
            input_map[info.name] = value
    return input_map


def build_output_map(protomap, get_tensor) -> dict:
    outputs = {}
    for key, info in protomap.items():
        if info.WhichOneof("encoding") == "coo_sparse":
            sparse = info.coo_sparse
            outputs[key] = tf.SparseTensor(get_tensor(sparse.indices_tensor_name),
                                           get_tensor(sparse.values_tensor_name),
                                           get_tensor(sparse.dense_shape_tensor_name))
        elif info.WhichOneof("encoding") == "composite_tensor":
            components = [get_tensor(c.name) for c in info.composite_tensor.components]
            outputs[key] = tf.nest.pack_sequence_as(composite_type_spec(info), components,
                                                    expand_composites=True)
        else:
            outputs[key] = get_tensor(info.name)
    return outputs
