"""Reads a TF1 Hub module folder: its MetaGraphDefs, signatures, variables,
assets and attachments, as tensorflow_hub 0.15 wrote them.

Everything here is plain protobuf work; nothing is imported into a graph.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import tensorflow as tf
from tensorflow.core.framework import variable_pb2
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

from hubcompat import errors, formats

# Collection names as tensorflow_hub 0.15 saved them in each MetaGraphDef.
ATTACHMENTS_COLLECTION = "hub_module_attachments"
ASSETS_COLLECTION = "saved_model_assets"
ASSET_FILEPATHS_COLLECTION = "asset_filepaths"
VARIABLES_COLLECTION = "variables"
TRAINABLE_VARIABLES_COLLECTION = "trainable_variables"
REGULARIZATION_LOSSES_COLLECTION = "regularization_losses"
UPDATE_OPS_COLLECTION = "update_ops"
TABLE_INITIALIZERS_COLLECTION = "table_initializer"
ASSETS_FOLDER = "assets"
VARIABLES_PREFIX = os.path.join("variables", "variables")


@dataclass(frozen=True)
class TensorDescription:
    """A signature input or output: what ``get_input_info_dict`` describes."""

    name: str
    dtype: tf.DType
    shape: tf.TensorShape
    is_sparse: bool
    tensor_info: meta_graph_pb2.TensorInfo
    ragged_spec: tf.RaggedTensorSpec | None = None  # set for a RaggedTensor

    @property
    def is_ragged(self) -> bool:
        return self.ragged_spec is not None

    def __repr__(self) -> str:
        kind = "SparseTensor" if self.is_sparse else "RaggedTensor" if self.is_ragged else "Tensor"
        return f"<hubcompat.{kind}Info shape={self.shape} dtype={self.dtype.name}>"


@dataclass(frozen=True)
class VariableDescription:
    """One variable (or one partition of a partitioned variable) of the module."""

    name: str  # op name inside the module, e.g. "fc1/weights" or "emb/part_0"
    dtype: tf.DType
    shape: tf.TensorShape
    is_resource: bool
    checkpoint_key: str  # the full variable name for partitions
    slice_offset: tuple[int, ...] | None  # set for partitions
    full_shape: tuple[int, ...] | None


def tags_key(tags) -> frozenset[str]:
    """Normalises a tag set given as None, a str, or an iterable of str."""
    if tags is None:
        return frozenset()
    if isinstance(tags, str):
        return frozenset([tags])
    return frozenset(tags)


class ModuleReader:
    """The parsed contents of one TF1 Hub module (or TF1 SavedModel) folder."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        filename = os.path.join(self.path, formats.SAVED_MODEL_FILENAME)
        saved_model = saved_model_pb2.SavedModel()
        try:
            with open(filename, "rb") as f:
                saved_model.ParseFromString(f.read())
        except FileNotFoundError as e:
            raise errors.MissingSavedModelError(
                f"{self.path!r} has no {formats.SAVED_MODEL_FILENAME}. Fetch the module again."
            ) from e
        except Exception as e:  # protobuf's DecodeError has no stable import path
            raise errors.CorruptModuleError(
                f"{filename!r} cannot be parsed ({e}). The file may be truncated: fetch it again."
            ) from e
        self._meta_graphs: dict[frozenset[str], meta_graph_pb2.MetaGraphDef] = {}
        for meta_graph in saved_model.meta_graphs:
            self._meta_graphs[frozenset(meta_graph.meta_info_def.tags)] = meta_graph
        if not self._meta_graphs:
            raise errors.CorruptModuleError(f"{filename!r} holds no MetaGraphDef.")

    # --- tag sets ----------------------------------------------------------

    @property
    def tag_sets(self) -> list[frozenset[str]]:
        return list(self._meta_graphs)

    @property
    def default_tags(self) -> frozenset[str]:
        """``set()`` when the module has it (as hub.Module chose), else the only tag set."""
        if frozenset() in self._meta_graphs:
            return frozenset()
        if len(self._meta_graphs) == 1:
            return next(iter(self._meta_graphs))
        raise errors.SignatureError(
            f"Module {self.path!r} has tag sets {self.describe_tag_sets()} and none is empty: "
            "pass tags= to choose one."
        )

    def describe_tag_sets(self) -> str:
        return ", ".join(sorted(str(set(t)) if t else "set()" for t in self._meta_graphs))

    def meta_graph(self, tags) -> meta_graph_pb2.MetaGraphDef:
        key = tags_key(tags)
        try:
            return self._meta_graphs[key]
        except KeyError:
            raise errors.SignatureError(
                f"Module {self.path!r} has no graph for tags {set(key) or 'set()'}; "
                f"it has: {self.describe_tag_sets()}."
            ) from None

    # --- signatures --------------------------------------------------------

    def signature_names(self, tags) -> list[str]:
        return sorted(self.meta_graph(tags).signature_def)

    def signature_def(self, tags, signature: str) -> meta_graph_pb2.SignatureDef:
        signatures = self.meta_graph(tags).signature_def
        if signature not in signatures:
            raise errors.SignatureError(
                f"Module {self.path!r} has no signature {signature!r}; "
                f"it has: {', '.join(sorted(signatures)) or 'none'}."
            )
        return signatures[signature]

    def input_info(self, tags, signature: str) -> dict[str, TensorDescription]:
        return _describe(self.signature_def(tags, signature).inputs)

    def output_info(self, tags, signature: str) -> dict[str, TensorDescription]:
        return _describe(self.signature_def(tags, signature).outputs)

    # --- variables ---------------------------------------------------------

    def variables(self, tags) -> list[VariableDescription]:
        meta_graph = self.meta_graph(tags)
        nodes = {node.name: node for node in meta_graph.graph_def.node}
        result = []
        for raw in _bytes_list(meta_graph, VARIABLES_COLLECTION):
            var_def = variable_pb2.VariableDef()
            var_def.ParseFromString(raw)
            name = _op_name(var_def.variable_name)
            node = nodes[name]
            dtype = tf.as_dtype(node.attr["dtype"].type)
            shape = tf.TensorShape(node.attr["shape"].shape)
            slice_info = var_def.save_slice_info_def
            if slice_info.full_name:
                key = slice_info.full_name
                offset: tuple[int, ...] | None = tuple(slice_info.var_offset)
                full_shape: tuple[int, ...] | None = tuple(slice_info.full_shape)
            else:
                key, offset, full_shape = name, None, None
            result.append(
                VariableDescription(
                    name=name,
                    dtype=dtype.base_dtype,
                    shape=shape,
                    is_resource=node.op == "VarHandleOp",
                    checkpoint_key=key,
                    slice_offset=offset,
                    full_shape=full_shape,
                )
            )
        return result

    def trainable_variable_names(self, tags) -> set[str]:
        names = set()
        for raw in _bytes_list(self.meta_graph(tags), TRAINABLE_VARIABLES_COLLECTION):
            var_def = variable_pb2.VariableDef()
            var_def.ParseFromString(raw)
            names.add(_op_name(var_def.variable_name))
        return names

    @property
    def checkpoint_prefix(self) -> str | None:
        prefix = os.path.join(self.path, VARIABLES_PREFIX)
        return prefix if os.path.exists(prefix + ".index") else None

    # --- collections of tensor / op names ----------------------------------

    def node_names(self, tags, collection: str) -> list[str]:
        meta_graph = self.meta_graph(tags)
        if collection not in meta_graph.collection_def:
            return []
        return list(meta_graph.collection_def[collection].node_list.value)

    # --- assets ------------------------------------------------------------

    def asset_files(self, tags) -> dict[str, str]:
        """Maps each asset tensor name in the graph to its file's current path."""
        meta_graph = self.meta_graph(tags)
        asset_defs = list(meta_graph.asset_file_def)
        if ASSETS_COLLECTION in meta_graph.collection_def:
            for packed in meta_graph.collection_def[ASSETS_COLLECTION].any_list.value:
                asset_def = meta_graph_pb2.AssetFileDef()
                packed.Unpack(asset_def)
                asset_defs.append(asset_def)
        result = {}
        for asset_def in asset_defs:
            filename = os.path.join(self.path, ASSETS_FOLDER, asset_def.filename)
            if not os.path.exists(filename):
                raise errors.CorruptModuleError(
                    f"Module {self.path!r} needs the asset {asset_def.filename!r}, "
                    f"but {filename!r} is missing. Fetch the module again."
                )
            result[asset_def.tensor_info.name] = filename
        return result

    # --- attachments ---------------------------------------------------------

    @cached_property
    def attachments(self) -> dict[str, bytes]:
        """Serialized attached messages (``hub.attach_message``), by key."""
        meta_graph = self._meta_graphs.get(frozenset()) or next(iter(self._meta_graphs.values()))
        result = {}
        for raw in _bytes_list(meta_graph, ATTACHMENTS_COLLECTION):
            key, value = _parse_attachment(raw)
            result[key] = value
        return result


def _parse_attachment(raw: bytes) -> tuple[str, bytes]:
    # ModuleAttachment { string key = 1; bytes value = 2; } (tensorflow_hub's proto)
    from hubcompat import _wire

    key, value = "", b""
    for number, _, field_value in _wire.fields(raw):
        if number == 1:
            key = bytes(field_value).decode("utf-8")  # type: ignore[arg-type]
        elif number == 2:
            value = bytes(field_value)  # type: ignore[arg-type]
    return key, value


def _bytes_list(meta_graph: meta_graph_pb2.MetaGraphDef, collection: str) -> list[bytes]:
    if collection not in meta_graph.collection_def:
        return []
    return list(meta_graph.collection_def[collection].bytes_list.value)


def _op_name(tensor_name: str) -> str:
    name = tensor_name[1:] if tensor_name.startswith("^") else tensor_name
    return name.split(":")[0]


def _describe(tensor_infos) -> dict[str, TensorDescription]:
    result = {}
    for key, info in tensor_infos.items():
        encoding = info.WhichOneof("encoding")
        if encoding == "composite_tensor":
            # hub.add_signature takes RaggedTensors since tensorflow_hub 0.10.
            spec = composite_type_spec(info)
            if not isinstance(spec, tf.RaggedTensorSpec):
                raise errors.UnsupportedGraphError(
                    f"Signature tensor {key!r} is a {type(spec).__name__}; TF1 Hub modules "
                    "take Tensors, SparseTensors and RaggedTensors only."
                )
            result[key] = TensorDescription(name=key, dtype=spec.dtype, shape=spec.shape,
                                            is_sparse=False, tensor_info=info, ragged_spec=spec)
            continue
        result[key] = TensorDescription(
            name=key,
            dtype=tf.as_dtype(info.dtype),
            shape=tf.TensorShape(info.tensor_shape),
            is_sparse=encoding == "coo_sparse",
            tensor_info=info,
        )
    return result


def composite_type_spec(info: meta_graph_pb2.TensorInfo) -> tf.TypeSpec:
    """The TypeSpec of a ``composite_tensor`` TensorInfo (e.g. a RaggedTensorSpec)."""
    from tensorflow.core.protobuf import struct_pb2
    from tensorflow.python.saved_model import nested_structure_coder

    return nested_structure_coder.decode_proto(
        struct_pb2.StructuredValue(type_spec_value=info.composite_tensor.type_spec))
