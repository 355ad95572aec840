"""The facts of the TF1 Hub module format, as tensorflow_hub 0.15 wrote and read it.

This module is the one home of those facts for the library: file and folder
names, the ``tfhub_module.pb`` bytes, the collection names a module's
MetaGraphDefs use, the asset placeholder, which op types hold state, how a
partitioned variable is grouped, and the ``ModuleAttachment`` encoding. The
reader (``tf1/module_reader.py``), the legacy API (``legacy/``) and the writer
(``legacy/writer.py``) import them from here.

It imports only the standard library and hubcompat's TF-free helpers, so
``formats.detect_format`` and the inspect CLI can use it without TensorFlow.

``fixtures/tf1_modules/hub_format.py`` keeps its own copy of these facts on
purpose: it is the independent oracle the fixtures are written with, so a
mistake here cannot hide in fixtures made by the same code
(tests/legacy/test_fixture_writer.py pins the two writers together).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from hubcompat import _wire, errors

# --- files -------------------------------------------------------------------

MODULE_DEF_FILENAME = "tfhub_module.pb"
ASSETS_FOLDER = "assets"
VARIABLES_FOLDER = "variables"
VARIABLES_PREFIX = posixpath.join(VARIABLES_FOLDER, "variables")  # relative to the module

# tensorflow_hub's ModuleDef.Format: only FORMAT_V3 was ever published, and
# tensorflow_hub refuses any required feature it does not know; it knew none.
MODULE_DEF_FORMAT_V3 = 3
SUPPORTED_REQUIRED_FEATURES: frozenset[str] = frozenset()

# --- collections of a module's MetaGraphDefs -----------------------------------

ATTACHMENTS_COLLECTION = "hub_module_attachments"  # ModuleAttachment bytes
ASSETS_COLLECTION = "saved_model_assets"  # AssetFileDefs (SavedModel's ASSETS_KEY)
ASSET_FILEPATHS_COLLECTION = "asset_filepaths"  # the asset path constants
VARIABLES_COLLECTION = "variables"
TRAINABLE_VARIABLES_COLLECTION = "trainable_variables"
MODEL_VARIABLES_COLLECTION = "model_variables"
REGULARIZATION_LOSSES_COLLECTION = "regularization_losses"
UPDATE_OPS_COLLECTION = "update_ops"
TABLE_INITIALIZERS_COLLECTION = "table_initializer"
COND_CONTEXT_COLLECTION = "cond_context"
WHILE_CONTEXT_COLLECTION = "while_context"

# The collections hub.Module accepted in a module's graphs.
SUPPORTED_COLLECTIONS = frozenset({
    VARIABLES_COLLECTION, TRAINABLE_VARIABLES_COLLECTION, MODEL_VARIABLES_COLLECTION,
    TABLE_INITIALIZERS_COLLECTION, UPDATE_OPS_COLLECTION, REGULARIZATION_LOSSES_COLLECTION,
    ASSET_FILEPATHS_COLLECTION, COND_CONTEXT_COLLECTION, WHILE_CONTEXT_COLLECTION,
    ATTACHMENTS_COLLECTION,
})

# What an asset path constant holds in a written module (its AssetFileDef names the file).
ASSET_PLACEHOLDER = b"SAVEDMODEL-ASSET"

# The tag that marks a module's training graph.
TRAIN_TAG = "train"
TRAIN_TAGS = frozenset({TRAIN_TAG})

# The attachment key of ImageModuleInfo (hub.attach_image_module_info).
IMAGE_MODULE_INFO_KEY = "image_module_info"

# --- state ops -----------------------------------------------------------------

# hub.Module's rule (is_state_op) decides what a graph's state is; these are the
# kinds of state the eager path rewrites into placeholders (tf1/graph_rewrite.py).
# Each is a state op by that rule, except MutableDenseHashTableV2, whose empty
# and deleted keys are inputs: the rewrite treats it as a table all the same.
RESOURCE_VARIABLE_OPS = frozenset({"VarHandleOp"})
REF_VARIABLE_OPS = frozenset({"VariableV2", "Variable"})
VARIABLE_OPS = RESOURCE_VARIABLE_OPS | REF_VARIABLE_OPS
TABLE_OPS = frozenset(
    {"HashTableV2", "MutableHashTableV2", "MutableHashTableOfTensorsV2", "MutableDenseHashTableV2"}
)
REF_TABLE_OPS = frozenset({"HashTable", "MutableHashTable", "MutableHashTableOfTensors"})


class _OpDef(Protocol):
    is_stateful: bool

    @property
    def input_arg(self) -> Sequence[Any]: ...


def is_state_op(op_def: _OpDef | None) -> bool:
    """Whether ops of this ``OpDef`` hold state, as hub.Module decided it:
    registered (``op_def`` is not None), stateful, and without inputs."""
    return op_def is not None and bool(op_def.is_stateful) and not op_def.input_arg


# --- partitioned variables -------------------------------------------------------

V = TypeVar("V")


def group_partitions(
    entries: Iterable[tuple[str, str | None, Sequence[int] | None, V]],
) -> dict[str, V | list[V]]:
    """The variable map of a module: ``name -> variable``, ``full name -> [part, ...]``.

    ``entries`` are ``(name, full_name, offset, value)``; ``full_name`` and
    ``offset`` are None for a whole variable. A partitioned variable is saved
    as slices of its full name: its parts come out sorted by their offset along
    the first axis, the one key hub.Module used (two parts there are refused).
    """
    result: dict[str, V | list[V]] = {}
    partitions: dict[str, dict[int, V]] = {}
    for name, full_name, offset, value in entries:
        if full_name is None or offset is None:
            result[name] = value
            continue
        parts = partitions.setdefault(full_name, {})
        first = offset[0]
        if first in parts:
            raise errors.UnsupportedGraphError(
                f"Variable map contains duplicate offset {first} for variable [{full_name}]")
        parts[first] = value
    for full_name, parts in partitions.items():
        if full_name in result:
            raise errors.UnsupportedGraphError(
                f"Variable {full_name} exists both as a single and partitioned variable.")
        result[full_name] = [parts[key] for key in sorted(parts)]
    return result


# --- tfhub_module.pb and ModuleAttachment -------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if not value:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | _wire.LENGTH_DELIMITED) + _varint(len(payload)) + payload


# ModuleDef { format: FORMAT_V3 }: the whole of every tfhub_module.pb hub wrote (08 03).
MODULE_DEF_V3_BYTES = _varint(1 << 3 | _wire.VARINT) + _varint(MODULE_DEF_FORMAT_V3)


def parse_module_def(data: bytes) -> tuple[int, list[str]]:
    """``(format, required_features)`` of ModuleDef bytes; raises ``_wire.WireError``
    or ``UnicodeDecodeError`` for bytes that are no ModuleDef."""
    fmt, features = 0, []
    for number, wire_type, value in _wire.fields(data):
        if number == 1 and wire_type == _wire.VARINT:
            fmt = int(value)
        elif number == 2 and wire_type == _wire.LENGTH_DELIMITED:
            features.append(bytes(value).decode("utf-8"))
    return fmt, features


def encode_attachment(key: str, value: bytes) -> bytes:
    """Serializes ``tensorflow_hub.ModuleAttachment { string key = 1; bytes value = 2; }``."""
    return _length_delimited(1, key.encode("utf-8")) + _length_delimited(2, bytes(value))


def parse_attachment(raw: bytes) -> tuple[str, bytes]:
    """``(key, value)`` of serialized ModuleAttachment bytes."""
    key, value = "", b""
    for number, wire_type, field_value in _wire.fields(raw):
        if wire_type != _wire.LENGTH_DELIMITED:
            continue
        if number == 1:
            key = bytes(field_value).decode("utf-8")
        elif number == 2:
            value = bytes(field_value)
    return key, value


def parse_attachments(values: Iterable[bytes]) -> dict[str, bytes]:
    """The ``hub_module_attachments`` collection's values by key (the last one wins)."""
    return dict(parse_attachment(raw) for raw in values)


def encode_attachments(attachments: Mapping[str, bytes]) -> list[bytes]:
    """The ``hub_module_attachments`` collection's values for ``{key: message bytes}``."""
    return [encode_attachment(key, value) for key, value in attachments.items()]

