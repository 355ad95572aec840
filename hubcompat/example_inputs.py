"""Example inputs for a model's signatures, built from their input specs.

``inspect``, ``convert`` (its parity check) and ``check`` call every signature
of a module without knowing what it computes: each input gets a small,
deterministic value that fits its dtype and shape. Unknown dimensions become
``batch_size`` (the first) or 3 (the others; image inputs take the size of the
module's ImageModuleInfo when it has one). Integers are 0 or 1, so that ids
stay inside any vocabulary; strings are short English sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from hubcompat import errors

SENTENCES = ["the cat sat on the mat", "a dog ran", "hello world", ""]
UNKNOWN_DIM = 3


def signature_names(model: Any) -> list[str]:
    """The signature names of a loaded model (TF1 adapter or TF2 SavedModel)."""
    return sorted(getattr(model, "signatures", None) or {})


def input_specs(model: Any, signature: str) -> dict[str, tf.TypeSpec]:
    """Input name -> ``tf.TensorSpec`` / ``tf.SparseTensorSpec`` of one signature."""
    if hasattr(model, "get_input_info_dict"):  # a TF1 module (hubcompat.load)
        return {
            name: (tf.SparseTensorSpec(desc.shape, desc.dtype) if desc.is_sparse
                   else desc.ragged_spec if desc.is_ragged
                   else tf.TensorSpec(desc.shape, desc.dtype, name=name))
            for name, desc in sorted(model.get_input_info_dict(signature).items())
        }
    signatures = getattr(model, "signatures", None) or {}
    if signature not in signatures:
        raise errors.SignatureError(
            f"The model has no signature {signature!r}; it has: "
            f"{', '.join(sorted(signatures)) or 'none'}."
        )
    _, kwargs = signatures[signature].structured_input_signature
    return dict(sorted(kwargs.items()))


def example_inputs(specs: Mapping[str, tf.TypeSpec], *, batch_size: int = 2,
                   image_size: tuple[int, int] | None = None,
                   seed: int = 0) -> dict[str, tf.Tensor | tf.SparseTensor | tf.RaggedTensor]:
    """One example tensor per spec (a ``tf.SparseTensor`` for sparse specs)."""
    rng = np.random.default_rng(seed)
    return {name: example_value(spec, batch_size=batch_size, image_size=image_size, rng=rng)
            for name, spec in specs.items()}


def example_value(spec: tf.TypeSpec, *, batch_size: int = 2,
                  image_size: tuple[int, int] | None = None,
                  rng: np.random.Generator | None = None,
                  ) -> tf.Tensor | tf.SparseTensor | tf.RaggedTensor:
    """One example value of ``spec``: a dense, sparse or ragged tensor (see the module doc)."""
    rng = np.random.default_rng(0) if rng is None else rng
    if isinstance(spec, tf.SparseTensorSpec):
        return _sparse_value(spec, batch_size, rng)
    if isinstance(spec, tf.RaggedTensorSpec) and spec.ragged_rank == 1:
        # Rows of lengths 1, 2, 0, 1, 2, 0, ...
        lengths = [(i + 1) % 3 for i in range(batch_size)]
        inner = _concrete_shape(spec.shape[2:], sum(lengths), None) if spec.shape.rank else []
        values = _values(spec.dtype, [sum(lengths), *inner[1:]] if inner else [sum(lengths)], rng)
        return tf.RaggedTensor.from_row_lengths(
            tf.constant(values, dtype=spec.dtype),
            tf.constant(lengths, dtype=spec.row_splits_dtype))
    if not isinstance(spec, tf.TensorSpec):
        raise errors.InputTypeError(
            f"Cannot build an example input for {spec!r}: only dense and sparse tensors are "
            "supported. Pass inputs of your own (check --inputs FILE.npz)."
        )
    shape = _concrete_shape(spec.shape, batch_size, image_size)
    return tf.constant(_values(spec.dtype, shape, rng), dtype=spec.dtype)


def _concrete_shape(shape: tf.TensorShape, batch_size: int,
                    image_size: tuple[int, int] | None) -> list[int]:
    if shape.rank is None:
        return [batch_size]
    dims = shape.as_list()
    if image_size and len(dims) == 4:  # [batch, height, width, channels]
        dims[1] = dims[1] or image_size[0]
        dims[2] = dims[2] or image_size[1]
    return [(batch_size if i == 0 else UNKNOWN_DIM) if d is None else d for i, d in enumerate(dims)]


def _values(dtype: tf.DType, shape: list[int], rng: np.random.Generator) -> np.ndarray:
    size = int(np.prod(shape)) if shape else 1
    if dtype == tf.string:
        flat = [SENTENCES[i % len(SENTENCES)].encode() for i in range(size)]
        return np.array(flat, dtype=object).reshape(shape)
    if dtype == tf.bool:
        return (np.arange(size) % 2 == 0).reshape(shape)
    if dtype.is_integer:
        return (np.arange(size) % 2).astype(dtype.as_numpy_dtype).reshape(shape)
    if dtype.is_floating or dtype.is_complex:
        # In [0, 1): valid pixels for image modules, ordinary values for the rest.
        return rng.random(shape).astype(dtype.as_numpy_dtype)
    raise errors.InputTypeError(
        f"Cannot build an example input of dtype {dtype.name}. Pass inputs of your own."
    )


def _sparse_value(spec: tf.SparseTensorSpec, batch_size: int,
                  rng: np.random.Generator) -> tf.SparseTensor:
    shape = _concrete_shape(spec.shape, batch_size, None)
    if len(shape) < 1:
        raise errors.InputTypeError(f"A sparse input needs a rank of at least 1, got {spec.shape}.")
    # One value in each row, in column 0 (or the only position for rank 1).
    rows = min(shape[0], batch_size)
    indices = np.zeros([rows, len(shape)], dtype=np.int64)
    indices[:, 0] = np.arange(rows)
    values = _values(spec.dtype, [rows], rng)
    return tf.SparseTensor(indices, tf.constant(values, dtype=spec.dtype), shape)


def image_size_of(model: Any) -> tuple[int, int] | None:
    """``(height, width)`` from an ImageModuleInfo attached to a TF1 module, else None."""
    if not hasattr(model, "get_attached_message"):
        return None
    from hubcompat.legacy.image_util import get_image_module_info

    info = get_image_module_info(model)
    if info and info.default_image_size.height and info.default_image_size.width:
        return info.default_image_size.height, info.default_image_size.width
    return None
