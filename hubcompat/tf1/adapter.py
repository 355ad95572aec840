"""A TF1 Hub module as a callable, fine-tunable TF2 object.

:class:`TF1ModuleAdapter` follows the reusable SavedModel interface
(``__call__(inputs, training=...)``, ``variables``, ``trainable_variables``,
``regularization_losses``) and ``hub.Module``'s calling convention
(``signature=``, ``as_dict=``). ``training=True`` runs the module's
``{"train"}`` graph on the same variables and applies its update ops.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import tensorflow as tf
from google.protobuf.message import Message

from hubcompat import errors, formats
from hubcompat._tf_private import AutoTrackable, save_type_savedmodel
from hubcompat.tf1.imported_graph import ImportedGraph, SignatureFunction
from hubcompat.tf1.module_reader import (
    ModuleReader,
    ParsedTensorInfo,
    VariableDescription,
    tags_key,
)
from hubcompat.tf1.state import ModuleState

DEFAULT_SIGNATURE = "default"
DEFAULT_OUTPUT = "default"
SERVE_ENDPOINT = "serve"  # what keras.layers.TFSMLayer(path) calls by default


class TF1ModuleAdapter(AutoTrackable):
    """A loaded TF1 Hub module. Create it with :func:`hubcompat.load`."""

    def __init__(self, path: str, tags: Iterable[str] | str | None = None) -> None:
        super().__init__()
        reader = ModuleReader(path)
        self._reader = reader
        self._tags = tags_key(tags) if tags is not None else reader.default_tags
        reader.meta_graph(self._tags)  # fails early for unknown tags
        self._train_tags = reader.train_tags(self._tags)
        self._state = ModuleState(reader, self._tags)
        self._graphs: dict[frozenset[str], ImportedGraph] = {}
        self._input_infos: dict[str, dict] = {}
        inference = self._graph(self._tags)
        inference.initialize_tables()
        self.variables = list(self._state.variables)
        self.trainable_variables = list(self._state.trainable_variables)
        self.regularization_losses = list(inference.regularization_losses)
        # A stateful module's state: the variables its inference graph assigns
        # (bilm-tf's LSTM states), which every call moves.
        self.stateful_variables = list(inference.written_variables)
        self._export_call = None

    # --- graphs ------------------------------------------------------------

    def _graph(self, tags: frozenset[str]) -> ImportedGraph:
        graph = self._graphs.get(tags)
        if graph is None:
            with tf.init_scope():
                graph = self._graphs[tags] = ImportedGraph(self._reader, tags, self._state)
        return graph

    def _signature_function(self, signature: str, training: bool) -> SignatureFunction:
        if training and self._train_tags is not None:
            return self._graph(self._train_tags).signature(signature, with_update_ops=True)
        return self._graph(self._tags).signature(signature)

    # --- calling -----------------------------------------------------------

    # Not converted by AutoGraph when a user's tf.function calls the module: nothing here
    # branches on a tensor (training=<tensor> is a tf.cond), and AutoGraph cannot
    # transform the pruning code, so it warned "Please report this to the TensorFlow
    # team" (issue 21).
    @tf.autograph.experimental.do_not_convert
    def __call__(self, inputs: Any = None, training: bool | tf.Tensor = False, *,
                 signature: str | None = None, as_dict: bool | None = None) -> Any:
        """Runs ``signature`` (default ``"default"``) on ``inputs``.

        ``inputs`` is a single tensor (for a signature with one input), a dict
        keyed by input name, or None (for a signature with no inputs); Python
        lists and numpy arrays are converted to the signature's dtypes. Returns
        the ``"default"`` output, or the dict of all outputs with
        ``as_dict=True``. ``training=True`` uses the ``{"train"}`` graph.
        """
        signature = DEFAULT_SIGNATURE if signature is None else signature
        if isinstance(training, tf.Tensor) and tf.get_static_value(training) is None:
            return tf.cond(
                training,
                lambda: self(inputs, True, signature=signature, as_dict=as_dict),
                lambda: self(inputs, False, signature=signature, as_dict=as_dict),
            )
        training = bool(tf.get_static_value(training)) if isinstance(training, tf.Tensor) else bool(training)
        function = self._signature_function(signature, training)
        outputs = function(self._flat_inputs(signature, function, inputs))
        if as_dict:
            return outputs
        if DEFAULT_OUTPUT not in outputs:
            raise errors.SignatureError(
                f"Signature {signature!r} of module {self._reader.path!r} has no "
                f"{DEFAULT_OUTPUT!r} output (it has {', '.join(sorted(outputs))}): "
                "call with as_dict=True."
            )
        return outputs[DEFAULT_OUTPUT]

    def _flat_inputs(self, signature: str, function: SignatureFunction, inputs) -> list:
        keys = function.input_keys
        if isinstance(inputs, Mapping):
            given = dict(inputs)
            if set(given) != set(keys):
                raise errors.InputError(
                    f"Signature {signature!r} of module {self._reader.path!r} takes inputs "
                    f"{keys}, got {sorted(given)}."
                )
        elif inputs is None:
            if keys:
                raise errors.InputError(
                    f"Signature {signature!r} of module {self._reader.path!r} needs inputs {keys}."
                )
            given = {}
        elif len(keys) == 1:
            given = {keys[0]: inputs}
        else:
            raise errors.InputError(
                f"Signature {signature!r} of module {self._reader.path!r} takes {len(keys)} "
                f"inputs {keys}: pass them as a dict."
            )
        info = self._input_info(signature)
        flat = []
        for key in keys:
            try:
                value = _convert_input(given[key], info[key], key, signature)
            except (errors.InputTypeError, errors.InputError) as e:
                # Name the module and list what the signature takes (additive: the
                # message of _convert_input stays as it is).
                takes = ", ".join(f"{k}: {_describe(info[k])}" for k in keys)
                raise type(e)(f"Module {self._reader.path!r}: {e} Signature {signature!r} "
                              f"takes {takes}.", path=self._reader.path, signature=signature,
                              input=key, available=list(keys)) from e
            if key in function.sparse_inputs:
                flat.extend([value.indices, value.values, value.dense_shape])
            elif key in function.ragged_inputs:
                flat.extend(tf.nest.flatten(value, expand_composites=True))
            else:
                flat.append(value)
        return flat

    def _input_info(self, signature: str):
        info = self._input_infos.get(signature)
        if info is None:
            info = self._input_infos[signature] = self._reader.input_info(self._tags, signature)
        return info

    # --- hub.Module-style introspection --------------------------------------

    @property
    def signatures(self) -> Mapping[str, tf.types.experimental.ConcreteFunction]:
        """Signature functions called as ``hub.load`` gives them: keyword inputs, dict outputs."""
        return _SignatureMap(self)

    def get_signature_names(self, tags: Iterable[str] | str | None = None) -> list[str]:
        return self._reader.signature_names(self._tags if tags is None else tags)

    def get_input_info_dict(self, signature: str | None = None,
                            tags: Iterable[str] | str | None = None) -> dict[str, ParsedTensorInfo]:
        tags = self._tags if tags is None else tags
        return self._reader.input_info(tags, signature or DEFAULT_SIGNATURE)

    def get_output_info_dict(self, signature: str | None = None,
                             tags: Iterable[str] | str | None = None) -> dict[str, ParsedTensorInfo]:
        tags = self._tags if tags is None else tags
        return self._reader.output_info(tags, signature or DEFAULT_SIGNATURE)

    def get_attached_message(self, key: str, message_type: type[Message],
                             required: bool = False) -> Message | None:
        """The message attached under ``key`` (``hub.attach_message``), parsed as ``message_type``."""
        raw = self._reader.attachments.get(key)
        if raw is None:
            if required:
                raise errors.SignatureError(
                    f"Module {self._reader.path!r} has no attached message {key!r}; "
                    f"it has: {', '.join(sorted(self._reader.attachments)) or 'none'}."
                )
            return None
        message = message_type()
        message.ParseFromString(raw)
        return message

    @property
    def tags(self) -> frozenset[str]:
        return self._tags

    @property
    def train_tags(self) -> frozenset[str] | None:
        """The tag set ``training=True`` runs, or None when it runs the inference graph."""
        return self._train_tags

    @property
    def variable_descriptions(self) -> list[VariableDescription]:
        """Name, checkpoint key, shape, dtype and partition of each variable, in the
        order of :attr:`variables` (as the module's files describe them)."""
        return self._state.descriptions

    @property
    def variables_by_name(self) -> dict[str, tf.Variable]:
        """The module's variables by their graph names (``dense/kernel``, ...)."""
        return self._state.variables_by_name

    def restore_checkpoint(self) -> None:
        """Puts the values of the module's checkpoint back into :attr:`variables`
        (e.g. after ``training=True`` calls applied the module's update ops)."""
        self._state.restore()

    @property
    def tag_sets(self) -> list[frozenset[str]]:
        return self._reader.tag_sets

    @property
    def path(self) -> str:
        return self._reader.path

    @property
    def _is_hub_module_v1(self) -> bool:
        """As on what tensorflow_hub's ``hub.load`` returns: True for a TF1 Hub module
        (``tfhub_module.pb``), False for a TF1 SavedModel."""
        return os.path.exists(os.path.join(self._reader.path, formats.MODULE_DEF_FILENAME))

    def __repr__(self) -> str:
        return f"<hubcompat.TF1ModuleAdapter {self._reader.path!r} tags={set(self._tags) or 'set()'}>"

    # --- re-export as a TF2 reusable SavedModel ------------------------------

    def _trackable_children(self, save_type="checkpoint", **kwargs):
        children = super()._trackable_children(save_type, **kwargs)
        if save_type == save_type_savedmodel() and DEFAULT_SIGNATURE in self.get_signature_names():
            children["__call__"], children[SERVE_ENDPOINT] = self._traced_call_for_export()
        return children

    def _traced_call_for_export(self):
        """``__call__`` as a tf.function traced with training=False and True, and ``serve``.

        ``serve(inputs)`` is ``__call__(inputs, training=False)`` under the name
        ``keras.layers.TFSMLayer(path)`` calls by default (its ``call_endpoint``).
        """
        if self._export_call is None:
            info = self._reader.input_info(self._tags, DEFAULT_SIGNATURE)
            specs = {
                key: (tf.SparseTensorSpec(desc.shape, desc.dtype) if desc.is_sparse
                      else desc.ragged_spec if desc.is_ragged
                      else tf.TensorSpec(desc.shape, desc.dtype))
                for key, desc in info.items()
            }
            spec = next(iter(specs.values())) if len(specs) == 1 else specs
            outputs = self._reader.output_info(self._tags, DEFAULT_SIGNATURE)
            as_dict = DEFAULT_OUTPUT not in outputs

            @tf.function(autograph=False)
            def call(inputs, training=False):
                return self(inputs, training=training, as_dict=as_dict)

            call.get_concrete_function(spec, training=False)
            call.get_concrete_function(spec, training=True)

            @tf.function(input_signature=[spec], autograph=False)
            def serve(inputs):
                return self(inputs, training=False, as_dict=as_dict)

            self._export_call = (call, serve)
        return self._export_call


class _SignatureMap(Mapping):
    def __init__(self, adapter: TF1ModuleAdapter):
        self._adapter = adapter
        self._names = adapter.get_signature_names()

    def __getitem__(self, name: str):
        if name not in self._names:
            raise errors.SignatureError(
                f"Module {self._adapter.path!r} has no signature {name!r}; "
                f"it has: {', '.join(self._names)}."
            )
        return self._adapter._signature_function(name, False).keyword_function()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _convert_ragged(value, desc, key: str, signature: str):
    spec = desc.ragged_spec
    if isinstance(value, tf.compat.v1.ragged.RaggedTensorValue):
        value = tf.ragged.constant(value.to_list(), dtype=desc.dtype, ragged_rank=spec.ragged_rank)
    elif isinstance(value, (list, tuple)):
        try:
            value = tf.ragged.constant(value, dtype=desc.dtype, ragged_rank=spec.ragged_rank)
        except (TypeError, ValueError) as e:
            raise errors.InputTypeError(
                f"Can't convert {key!r}: input {key!r} of signature {signature!r} is a "
                f"RaggedTensor of {desc.dtype.name} ({e}).") from e
    if not isinstance(value, tf.RaggedTensor):
        # tensorflow_hub's wording, which users' tests match.
        raise errors.InputTypeError(
            f"Can't convert {key!r}: Got {type(value).__name__}. Expected RaggedTensor "
            f"(input {key!r} of signature {signature!r}).")
    if value.row_splits.dtype != spec.row_splits_dtype:
        value = value.with_row_splits_dtype(spec.row_splits_dtype)
    got = tf.RaggedTensorSpec.from_value(value)
    if not got.is_compatible_with(spec):
        raise errors.InputTypeError(
            f"Can't convert {key!r}: Got {got}. Expected {spec} (input {key!r} of signature "
            f"{signature!r}).")
    return value


def _describe(desc) -> str:
    """``float32 [?, 4]`` (``sparse`` appended for a SparseTensor input)."""
    shape = ("unknown" if desc.shape.rank is None else
             "[" + ", ".join("?" if d is None else str(d) for d in desc.shape.as_list()) + "]")
    return f"{desc.dtype.name} {shape}" + (" sparse" if desc.is_sparse else "")


def _convert_input(value, desc, key: str, signature: str):
    if desc.is_ragged:
        return _convert_ragged(value, desc, key, signature)
    if isinstance(value, tf.RaggedTensor):
        raise errors.InputTypeError(
            f"Can't convert {key!r}: Got RaggedTensor. Expected Tensor (input {key!r} of "
            f"signature {signature!r}).")
    if desc.is_sparse:
        if isinstance(value, tf.compat.v1.SparseTensorValue):
            value = tf.SparseTensor(value.indices, value.values, value.dense_shape)
        if not isinstance(value, tf.SparseTensor):
            raise errors.InputTypeError(
                f"Input {key!r} of signature {signature!r} is a SparseTensor; got {type(value).__name__}."
            )
        if value.dtype != desc.dtype:
            raise errors.InputTypeError(
                f"Input {key!r} of signature {signature!r} needs dtype {desc.dtype.name}, "
                f"got {value.dtype.name}."
            )
        return value
    if isinstance(value, tf.SparseTensor):
        raise errors.InputTypeError(
            f"Input {key!r} of signature {signature!r} is dense; got a SparseTensor."
        )
    if isinstance(value, (tf.Tensor, tf.Variable)):
        if value.dtype != desc.dtype:
            raise errors.InputTypeError(
                f"Input {key!r} of signature {signature!r} needs dtype {desc.dtype.name}, "
                f"got a tensor of {value.dtype.name}."
            )
    else:
        try:
            value = tf.constant(_as_array(value, desc.dtype), dtype=desc.dtype)
        except (TypeError, ValueError) as e:
            raise errors.InputTypeError(
                f"Input {key!r} of signature {signature!r} needs dtype {desc.dtype.name}: "
                f"cannot convert {type(value).__name__} ({e})."
            ) from e
    if not desc.shape.is_compatible_with(value.shape):
        raise errors.InputError(
            f"Input {key!r} of signature {signature!r} needs shape {desc.shape}, got {value.shape}."
        )
    return value


def _as_array(value, dtype: tf.DType):
    array = np.asarray(value)
    if dtype.is_floating and array.dtype.kind in "fiu" or dtype.is_integer and array.dtype.kind in "iu":
        return array.astype(dtype.as_numpy_dtype)
    if dtype == tf.bool and array.dtype.kind != "b":
        raise TypeError(f"expected booleans, got {array.dtype}")
    return array
