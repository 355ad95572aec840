"""Reads a TF1 Hub module folder: its MetaGraphDefs, signatures, variables,
assets and attachments, as tensorflow_hub 0.15 wrote them.

Everything here is plain protobuf work; nothing is imported into a graph.
The checkpoint is read from its index only (names, shapes, dtypes): the
values are restored into the variables by restore ops (see ``state.py``).
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import tensorflow as tf
from tensorflow.core.framework import variable_pb2
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

from hubcompat import errors, formats
from hubcompat.tf1.hub_format import (
    ASSET_FILEPATHS_COLLECTION,
    ASSETS_COLLECTION,
    ASSETS_FOLDER,
    ATTACHMENTS_COLLECTION,
    REGULARIZATION_LOSSES_COLLECTION,
    RESOURCE_VARIABLE_OPS,
    TABLE_INITIALIZERS_COLLECTION,
    TRAIN_TAGS,
    TRAINABLE_VARIABLES_COLLECTION,
    UPDATE_OPS_COLLECTION,
    VARIABLES_COLLECTION,
    VARIABLES_PREFIX,
    parse_attachments,
)
from hubcompat.tf1.proto_order import MetaGraphKeyOrder, genuine_order, saved_model_key_orders

# What a signature may take and return (tensorflow_hub 0.15's SUPPORTED_ARGUMENT_TYPES).
SUPPORTED_SPECS = (tf.TensorSpec, tf.SparseTensorSpec, tf.RaggedTensorSpec)

_V = TypeVar("_V")


class ParsedTensorInfo:
    """A signature input or output, as tensorflow_hub 0.15's ``ParsedTensorInfo``
    described it (legacy code prints these and reads ``dtype``, ``get_shape()``,
    ``is_sparse``); ``load(...)``'s ``get_input_info_dict`` returns them too."""

    def __init__(self, name: str, type_spec: tf.TypeSpec, tensor_info: meta_graph_pb2.TensorInfo):
        self.name = name  # the signature's key
        self.type_spec = type_spec
        self.tensor_info = tensor_info

    @property
    def dtype(self) -> tf.DType:
        return self.type_spec.dtype

    @property
    def shape(self) -> tf.TensorShape:
        return self.type_spec.shape

    def get_shape(self) -> tf.TensorShape:
        return self.shape

    @property
    def is_sparse(self) -> bool:
        return isinstance(self.type_spec, tf.SparseTensorSpec)

    @property
    def ragged_spec(self) -> tf.RaggedTensorSpec | None:
        return self.type_spec if isinstance(self.type_spec, tf.RaggedTensorSpec) else None

    @property
    def is_ragged(self) -> bool:
        return self.ragged_spec is not None

    @property
    def is_composite(self) -> bool:
        return not isinstance(self.type_spec, tf.TensorSpec)

    @property
    def is_supported_type(self) -> bool:
        return isinstance(self.type_spec, SUPPORTED_SPECS)

    def __repr__(self) -> str:
        if not isinstance(self.type_spec, (tf.TensorSpec, tf.SparseTensorSpec)):
            return f"<hub.ParsedTensorInfo type_spec={self.type_spec}>"
        return (f"<hub.ParsedTensorInfo shape={self.shape} dtype={self.dtype.name} "
                f"is_sparse={self.is_sparse}>")


def in_order(mapping: dict[str, _V], wire_order: list[str] | None) -> dict[str, _V]:
    """``mapping`` in the order tensorflow_hub gives (see :mod:`hubcompat.tf1.proto_order`)."""
    return {key: mapping[key] for key in genuine_order(mapping, wire_order)}


def parse_tensor_info_map(protomap) -> dict[str, ParsedTensorInfo]:
    """A SignatureDef's ``map<string, TensorInfo>`` -> ``{key: ParsedTensorInfo}``.

    Any composite tensor parses (``is_supported_type`` tells whether a
    signature may use it, as in tensorflow_hub); a TensorInfo without an
    encoding raises UnsupportedGraphError.
    """
    result = {}
    for key, info in protomap.items():
        encoding = info.WhichOneof("encoding")
        spec: tf.TypeSpec
        if encoding == "name":
            spec = tf.TensorSpec(tf.TensorShape(info.tensor_shape), tf.as_dtype(info.dtype))
        elif encoding == "coo_sparse":
            spec = tf.SparseTensorSpec(tf.TensorShape(info.tensor_shape), tf.as_dtype(info.dtype))
        elif encoding == "composite_tensor":
            spec = composite_type_spec(info)
        else:
            raise errors.UnsupportedGraphError(
                f"Signature tensor {key!r} has encoding {encoding!r}; TF1 Hub modules "
                "use dense, sparse and composite (ragged) tensors only."
            )
        result[key] = ParsedTensorInfo(key, spec, info)
    return result


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

    @property
    def shape_and_slice(self) -> str:
        """This variable's ``shape_and_slices`` entry for RestoreV2 / SaveV2.

        ``""`` for a whole variable; for a partition, the full shape then
        ``start,size`` per dimension (TF's TensorSlice syntax), e.g.
        ``"12 6 4,4:0,6"``.
        """
        if self.slice_offset is None:
            return ""
        spans = ":".join(f"{start},{size}" for start, size in
                         zip(self.slice_offset, self.shape.as_list()))
        return " ".join(map(str, self.full_shape or ())) + " " + spans


@dataclass(frozen=True)
class CheckpointIndex:
    """What a checkpoint's ``.index`` file says, without reading any value."""

    prefix: str
    shapes: dict[str, tuple[int, ...]]
    dtypes: dict[str, tf.DType]
    data_files: list[str]

    @property
    def index_file(self) -> str:
        return self.prefix + ".index"

    def nbytes(self, key: str) -> int:
        """Bytes of the stored tensor ``key`` (0 for strings, whose size only the data knows)."""
        dtype = self.dtypes[key]
        if dtype == tf.string:
            return 0
        count = 1
        for dim in self.shapes[key]:
            count *= dim
        return count * dtype.size

    def describe_data_files(self) -> str:
        return ", ".join(repr(f) for f in self.data_files)


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
                data = f.read()
            saved_model.ParseFromString(data)
        except FileNotFoundError as e:
            raise errors.MissingSavedModelError(
                f"{self.path!r} has no {formats.SAVED_MODEL_FILENAME}. Fetch the module again."
            ) from e
        except Exception as e:  # protobuf's DecodeError has no stable import path
            raise errors.CorruptModuleError(
                f"{filename!r} cannot be parsed ({e}). The file may be truncated: fetch it again."
            ) from e
        self._meta_graphs: dict[frozenset[str], meta_graph_pb2.MetaGraphDef] = {}
        self._key_orders: dict[frozenset[str], MetaGraphKeyOrder] = {}
        try:
            orders = saved_model_key_orders(data)
        except ValueError:  # a _wire.WireError: not expected once protobuf parsed the file
            orders = []
        for i, meta_graph in enumerate(saved_model.meta_graphs):
            _check_graph(meta_graph, filename)
            self._meta_graphs[frozenset(meta_graph.meta_info_def.tags)] = meta_graph
            if i < len(orders):
                self._key_orders[frozenset(meta_graph.meta_info_def.tags)] = orders[i]
        if not self._meta_graphs:
            raise errors.CorruptModuleError(f"{filename!r} holds no MetaGraphDef.")

    def import_error(self, tags, error: Exception) -> errors.CorruptModuleError:
        """The error for a graph that passed the checks of ``__init__`` but does not import."""
        return import_error(self.path, tags, error)

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

    def train_tags(self, tags) -> frozenset[str] | None:
        """The ``{"train"}`` tag set that goes with ``tags``, when the module has a
        training graph that differs from that inference one (``tags`` may name it)."""
        train = TRAIN_TAGS | tags_key(tags)
        return train if train in self._meta_graphs and not TRAIN_TAGS <= tags_key(tags) else None

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

    def input_info(self, tags, signature: str) -> dict[str, ParsedTensorInfo]:
        order = self.key_order(tags)
        return in_order(_supported(self.signature_def(tags, signature).inputs),
                        order.inputs.get(signature) if order else None)

    def output_info(self, tags, signature: str) -> dict[str, ParsedTensorInfo]:
        order = self.key_order(tags)
        return in_order(_supported(self.signature_def(tags, signature).outputs),
                        order.outputs.get(signature) if order else None)

    def key_order(self, tags) -> MetaGraphKeyOrder | None:
        """The order the file lists the graph's signatures and their keys in."""
        return self._key_orders.get(tags_key(tags))

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
                    is_resource=node.op in RESOURCE_VARIABLE_OPS,
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

    @cached_property
    def checkpoint_index(self) -> CheckpointIndex | None:
        """The checkpoint's index (None if the module has no checkpoint), checked."""
        prefix = self.checkpoint_prefix
        return None if prefix is None else read_checkpoint_index(prefix)

    def checked_checkpoint(self, descriptions: list[VariableDescription]) -> CheckpointIndex | None:
        """The checkpoint index, after checking it holds every variable of ``descriptions``
        with the right dtype and shape (None when there are no variables)."""
        if not descriptions:
            return None
        index = self.checkpoint_index
        if index is None:
            raise errors.CorruptModuleError(
                f"Module {self.path!r} has variables but no checkpoint "
                "(variables/variables.index). Fetch the module again."
            )
        for desc in descriptions:
            key = desc.checkpoint_key
            if key not in index.shapes:
                raise errors.CorruptModuleError(
                    f"Module {self.path!r}: variable {desc.name!r} is not in its checkpoint "
                    f"{index.index_file!r} (looked for key {key!r}). Fetch the module again."
                )
            expected = desc.full_shape if desc.full_shape is not None else tuple(desc.shape.as_list())
            if index.dtypes[key] != desc.dtype or tuple(index.shapes[key]) != tuple(expected):
                raise errors.CorruptModuleError(
                    f"Module {self.path!r}: its checkpoint {index.index_file!r} stores {key!r} as "
                    f"{index.dtypes[key].name} {list(index.shapes[key])}, but the graph's variable "
                    f"{desc.name!r} is {desc.dtype.name} {list(expected)}. The checkpoint does not "
                    "belong to this graph or is damaged: fetch the module again."
                )
        return index

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
        return parse_attachments(_bytes_list(meta_graph, ATTACHMENTS_COLLECTION))


def import_error(path: str, tags, error: Exception) -> errors.CorruptModuleError:
    """The error for a module graph that ``import_meta_graph`` refuses."""
    return errors.CorruptModuleError(
        f"The graph for tags {set(tags_key(tags)) or 'set()'} of module {path!r} cannot be "
        f"imported ({error}). Its {formats.SAVED_MODEL_FILENAME} may be damaged: fetch the "
        "module again."
    )


def tf_error_text(error: Exception) -> str:
    """A TensorFlow error's message without the ``{{function_node ...}}`` / ``[Op:...]`` noise."""
    text = getattr(error, "message", None) or str(error)
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", text)
    return re.sub(r"\s*\[Op:\w+\].*$", "", text, flags=re.S).strip()


def _tensor_names(info: meta_graph_pb2.TensorInfo) -> list[str]:
    """The graph tensors a signature's TensorInfo stands for (dense, sparse or composite)."""
    encoding = info.WhichOneof("encoding")
    if encoding == "coo_sparse":
        sparse = info.coo_sparse
        return [sparse.indices_tensor_name, sparse.values_tensor_name,
                sparse.dense_shape_tensor_name]
    if encoding == "composite_tensor":
        return [name for component in info.composite_tensor.components
                for name in _tensor_names(component)]
    return [info.name]


def _check_graph(meta_graph: meta_graph_pb2.MetaGraphDef, filename: str) -> None:
    """Raises CorruptModuleError unless every name the graph uses exists.

    ``saved_model.pb`` has no checksum: a damaged byte that still parses
    usually renames a node or an op. Those are caught here, before any import;
    a damaged value that still makes a valid graph cannot be told apart.
    """
    from hubcompat._tf_private import registered_op_def

    graph_def = meta_graph.graph_def
    nodes = {node.name for node in graph_def.node}
    functions = {f.signature.name for f in graph_def.library.function}
    tags = set(meta_graph.meta_info_def.tags) or "set()"

    def damaged(what: str):
        return errors.CorruptModuleError(
            f"{filename!r} is damaged: in the graph for tags {tags}, {what}. "
            "Fetch the module again."
        )

    for node in graph_def.node:
        if node.op not in functions and registered_op_def(node.op) is None:
            raise errors.CorruptModuleError(
                f"{filename!r}: in the graph for tags {tags}, node {node.name!r} has the op "
                f"{node.op!r}, which this TensorFlow does not know. Either the module needs a "
                "custom op library (import it before loading), or the file is damaged "
                "(fetch the module again)."
            )
        for tensor in node.input:
            if _op_name(tensor) not in nodes:
                raise damaged(f"node {node.name!r} reads {tensor!r}, which does not exist")
    for key, signature in meta_graph.signature_def.items():
        for info in [*signature.inputs.values(), *signature.outputs.values()]:
            for name in _tensor_names(info):
                if _op_name(name) not in nodes:
                    raise damaged(f"signature {key!r} names {name!r}, which does not exist")
    for collection in (UPDATE_OPS_COLLECTION, REGULARIZATION_LOSSES_COLLECTION,
                       TABLE_INITIALIZERS_COLLECTION, ASSET_FILEPATHS_COLLECTION):
        if collection in meta_graph.collection_def:
            for name in meta_graph.collection_def[collection].node_list.value:
                if _op_name(name) not in nodes:
                    raise damaged(f"the {collection!r} collection names {name!r}, "
                                  "which does not exist")
    for collection in (VARIABLES_COLLECTION, TRAINABLE_VARIABLES_COLLECTION):
        for raw in _bytes_list(meta_graph, collection):
            var_def = variable_pb2.VariableDef()
            try:
                var_def.ParseFromString(raw)
            except Exception as e:  # protobuf's DecodeError has no stable import path
                raise damaged(f"an entry of the {collection!r} collection cannot be parsed ({e})") from e
            if _op_name(var_def.variable_name) not in nodes:
                raise damaged(f"the {collection!r} collection names {var_def.variable_name!r}, "
                              "which does not exist")


_DATA_FILE = re.compile(r"\.data-(\d{5})-of-(\d{5})$")


def read_checkpoint_index(prefix: str) -> CheckpointIndex:
    """Reads the index of the checkpoint at ``prefix`` and checks its data files' sizes.

    TensorFlow verifies the index's block checksums when it opens it and each
    tensor's crc32c when a restore op reads it; what can be told without
    reading the values is checked here: the index parses, every data shard
    exists, and the shards hold at least the bytes the index promises (a
    truncated download fails here, naming the file).
    """
    index_file = prefix + ".index"
    try:
        reader = tf.train.load_checkpoint(prefix)
        shapes = {k: tuple(v) for k, v in reader.get_variable_to_shape_map().items()}
        dtypes = {k: tf.as_dtype(v) for k, v in reader.get_variable_to_dtype_map().items()}
    except (tf.errors.OpError, ValueError, TypeError) as e:
        raise errors.CorruptModuleError(
            f"The checkpoint index {index_file!r} cannot be read ({tf_error_text(e)}). "
            "It is damaged or truncated. Fetch the module again."
        ) from e
    data_files = sorted(glob.glob(glob.escape(prefix) + ".data-*-of-*"))
    shards = [m.groups() for m in map(_DATA_FILE.search, data_files) if m]
    expected = {int(total) for _, total in shards}
    present = {int(shard) for shard, _ in shards}
    if shapes and (len(expected) != 1 or present != set(range(expected.pop()))):
        raise errors.CorruptModuleError(
            f"The checkpoint {prefix!r} misses data files (found: "
            f"{', '.join(os.path.basename(f) for f in data_files) or 'none'}). "
            "Fetch the module again."
        )
    index = CheckpointIndex(prefix=prefix, shapes=shapes, dtypes=dtypes, data_files=data_files)
    needed = sum(index.nbytes(key) for key in shapes)
    held = sum(os.path.getsize(f) for f in data_files)
    if held < needed:
        raise errors.CorruptModuleError(
            f"The checkpoint data {index.describe_data_files()} holds {held} bytes, but its index "
            f"lists {needed} bytes of variables: the file is truncated. Fetch the module again."
        )
    return index


def _bytes_list(meta_graph: meta_graph_pb2.MetaGraphDef, collection: str) -> list[bytes]:
    if collection not in meta_graph.collection_def:
        return []
    return list(meta_graph.collection_def[collection].bytes_list.value)


def _op_name(tensor_name: str) -> str:
    name = tensor_name[1:] if tensor_name.startswith("^") else tensor_name
    return name.split(":")[0]


def _supported(protomap) -> dict[str, ParsedTensorInfo]:
    result = parse_tensor_info_map(protomap)
    for key, info in result.items():
        # hub.add_signature takes RaggedTensors since tensorflow_hub 0.10.
        if info.tensor_info.WhichOneof("encoding") == "composite_tensor" and not info.is_ragged:
            raise errors.UnsupportedGraphError(
                f"Signature tensor {key!r} is a {type(info.type_spec).__name__}; TF1 Hub modules "
                "take Tensors, SparseTensors and RaggedTensors only."
            )
    return result


def composite_type_spec(info: meta_graph_pb2.TensorInfo) -> tf.TypeSpec:
    """The TypeSpec of a ``composite_tensor`` TensorInfo (e.g. a RaggedTensorSpec)."""
    from tensorflow.core.protobuf import struct_pb2

    from hubcompat._tf_private import decode_structured_value

    return decode_structured_value(
        struct_pb2.StructuredValue(type_spec_value=info.composite_tensor.type_spec))
