"""``ModuleSpec`` and ``load_module_spec``: a TF1 Hub module before instantiation.

A spec holds one MetaGraphDef per tag set (asset paths already pointing at
real files) and, when loaded from disk, the checkpoint its variables start
from. ``hub.Module`` instantiates it in a graph (``graph_module.py``) or
eagerly (``eager_module.py``); ``ModuleSpec.export`` goes through a new
graph instance too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeVar

from google.protobuf.message import Message
from tensorflow.core.protobuf.meta_graph_pb2 import MetaGraphDef

from hubcompat import errors, formats
from hubcompat.legacy.graph_module import export_new_instance
from hubcompat.resolvers import resolve
from hubcompat.tf1 import hub_format
from hubcompat.tf1.module_reader import (
    ModuleReader,
    ParsedTensorInfo,
    in_order,
    parse_tensor_info_map,
)
from hubcompat.tf1.proto_order import MetaGraphKeyOrder, genuine_order

M = TypeVar("M", bound=Message)


class ModuleSpec:
    """The contents of a TF1 Hub module. Create with ``load_module_spec`` or ``create_module_spec``."""

    def __init__(self, meta_graphs: Iterable[MetaGraphDef], checkpoint_prefix: str | None = None,
                 source: str | None = None,
                 key_orders: dict[frozenset[str], MetaGraphKeyOrder | None] | None = None) -> None:
        seen = set()
        for meta_graph in meta_graphs:
            tags = frozenset(meta_graph.meta_info_def.tags)
            if tags in seen:
                raise errors.CorruptModuleError(f"Tags {sorted(tags)!r} used repeatedly")
            seen.add(tags)
            unsupported = sorted(set(meta_graph.collection_def) - hub_format.SUPPORTED_COLLECTIONS)
            if unsupported:
                raise errors.UnsupportedCollectionError(
                    f"Unsupported collections in graph: {unsupported}\n"
                    "Use hub.create_module_spec(..., drop_collections=[...]) as appropriate.")
        self._meta_graphs = list(meta_graphs)
        self._checkpoint_prefix = checkpoint_prefix
        self._source = source  # the module folder, when loaded from disk
        # The order the module's file lists its map keys in: tensorflow_hub's dicts follow it.
        self._key_orders = key_orders or {}

    # --- inspection (tensorflow_hub 0.15 API) --------------------------------

    def get_tags(self) -> list[frozenset[str]]:
        return sorted(frozenset(m.meta_info_def.tags) for m in self._meta_graphs)

    # Every mapping below is in tensorflow_hub's order, the same in every process
    # (hubcompat/tf1/proto_order.py says where that order comes from).

    def get_signature_names(self, tags: Iterable[str] | None = None) -> list[str]:
        order = self._key_order(tags)
        return genuine_order(self.meta_graph(tags).signature_def, order.signatures if order else None)

    def get_input_info_dict(self, signature: str | None = None, tags: Iterable[str] | None = None
                            ) -> dict[str, ParsedTensorInfo]:
        order = self._key_order(tags)
        return in_order(parse_tensor_info_map(self._signature_def(signature, tags).inputs),
                        order.inputs.get(signature or "default") if order else None)

    def get_output_info_dict(self, signature: str | None = None, tags: Iterable[str] | None = None
                             ) -> dict[str, ParsedTensorInfo]:
        order = self._key_order(tags)
        return in_order(parse_tensor_info_map(self._signature_def(signature, tags).outputs),
                        order.outputs.get(signature or "default") if order else None)

    def _key_order(self, tags: Iterable[str] | None) -> MetaGraphKeyOrder | None:
        return self._key_orders.get(frozenset(tags or []))

    def get_attached_message(self, key: str, message_type: type[M],
                             tags: Iterable[str] | None = None, required: bool = False) -> M | None:
        raw = self._get_attached_bytes(key, tags)
        if raw is None:
            if required:
                raise errors.SignatureError(
                    f"No attached message for key '{key}' in graph version "
                    f"{sorted(tags or [])} of Hub Module")
            return None
        message = message_type()
        message.ParseFromString(raw)
        return message

    def export(self, path: str | os.PathLike[str], _sentinel: None = None,
               checkpoint_path: str | None = None,
               name_transform_fn: Callable[[str], str] | None = None) -> None:
        """Writes the module to ``path`` with variable values from a training checkpoint."""
        if _sentinel is not None:
            raise errors.InputTypeError("Pass checkpoint_path and name_transform_fn by name.")
        if not checkpoint_path:
            raise errors.InputError("Missing mandatory `checkpoint_path` parameter")
        export_new_instance(self, os.fspath(path), checkpoint_path, name_transform_fn)

    # --- internals -------------------------------------------------------------

    def checked_tags(self, tags: Iterable[str] | None) -> frozenset[str]:
        """``tags`` as a key of the spec's graphs; InputError (as hub 0.15) if it has none."""
        key = frozenset(tags or [])
        if key not in self.get_tags():
            available = [sorted(t) for t in self.get_tags()]
            raise errors.InputError(
                f"No such graph variant: tags={sorted(tags) if tags else tags!r}",  # as hub 0.15
                note=f"Module {self._source or '(created by create_module_spec)'} has the tag "
                f"sets {available}: pass one of them as tags= (None for the empty set).",
                handle=self._source, tags=sorted(key), available=available)
        return key

    def meta_graph(self, tags: Iterable[str] | None = None) -> MetaGraphDef:
        key = frozenset(tags or [])
        for meta_graph in self._meta_graphs:
            if frozenset(meta_graph.meta_info_def.tags) == key:
                return meta_graph
        raise errors.SignatureError(
            f"Module {self._source or '(created by create_module_spec)'} has no graph with "
            f"tags: {sorted(key)!r}; it has {[sorted(t) for t in self.get_tags()]}.")

    @property
    def meta_graphs(self) -> list[MetaGraphDef]:
        return list(self._meta_graphs)

    @property
    def checkpoint_prefix(self) -> str | None:
        return self._checkpoint_prefix

    @property
    def source(self) -> str | None:
        return self._source

    def _signature_def(self, signature, tags):
        signature = signature or "default"
        signature_def = self.meta_graph(tags).signature_def.get(signature)
        if signature_def is None:
            names = sorted(self.get_signature_names(tags=tags))
            raise errors.InputError(
                f"Signature {signature!r} is missing from meta graph.",  # tensorflow_hub's
                note=f"Module {self._source or '(created by create_module_spec)'} has "
                f"signatures {names} for tags {sorted(tags or [])}: pass one of them as "
                "signature=.",
                handle=self._source, signature=signature, tags=sorted(tags or []),
                available=names)
        return signature_def

    def _get_attached_bytes(self, key, tags):
        collection = self.meta_graph(tags).collection_def.get(hub_format.ATTACHMENTS_COLLECTION)
        if collection is None:
            return None
        return hub_format.parse_attachments(collection.bytes_list.value).get(key)

    def __repr__(self) -> str:
        return f"<hubcompat.ModuleSpec {self._source or '(in memory)'} tags={self.get_tags()}>"


def load_module_spec(path: str | os.PathLike[str]) -> ModuleSpec:
    """Loads the ModuleSpec of a TF1 Hub module (a folder, file:// path, or any resolvable handle)."""
    folder = resolve(path)
    fmt = formats.detect_format(folder)
    if fmt is not formats.ModelFormat.TF1_HUB:
        raise errors.UnknownFormatError(
            f"{path!r} is a {fmt} model, not a TF1 Hub module (no tfhub_module.pb): "
            "load it with hubcompat.load() instead of hub.Module / load_module_spec.")
    try:
        reader = ModuleReader(folder)
        return ModuleSpec(_read_meta_graphs(reader), reader.checkpoint_prefix, source=reader.path,
                          key_orders=_key_orders(reader))
    except errors.UnsupportedGraphError as e:
        raise errors.unsupported_in(e, path) from None


# What create_module_spec_from_saved_model always drops, as tensorflow_hub did: the
# Estimator's global step, and the init ops a Session-based server runs (a module's
# variables are initialized from its checkpoint instead).
_ALWAYS_DROPPED_COLLECTIONS = ("global_step", "legacy_init_op", "saved_model_main_op")


def create_module_spec_from_saved_model(saved_model_path: str | os.PathLike[str],
                                        drop_collections: Iterable[str] | None = None
                                        ) -> ModuleSpec:
    """A ModuleSpec of a TF1 SavedModel (``saved_model.pb`` without ``tfhub_module.pb``).

    As tensorflow_hub 0.15: the global step and init-op collections are
    dropped, and so is every collection in ``drop_collections``; other
    collections ``hub.Module`` does not support raise UnsupportedCollectionError.
    """
    reader = ModuleReader(resolve(saved_model_path))
    dropped = set(_ALWAYS_DROPPED_COLLECTIONS) | set(drop_collections or [])
    meta_graphs = _read_meta_graphs(reader)
    for meta_graph in meta_graphs:
        for name in dropped & set(meta_graph.collection_def):
            del meta_graph.collection_def[name]
    # source=None: the eager backend exports the spec as a TF1 Hub module first.
    return ModuleSpec(meta_graphs, reader.checkpoint_prefix, key_orders=_key_orders(reader))


def _key_orders(reader) -> dict[frozenset[str], MetaGraphKeyOrder | None]:
    return {tags: reader.key_order(tags) for tags in reader.tag_sets}


def _read_meta_graphs(reader) -> list:
    meta_graphs = []
    for tags in reader.tag_sets:
        meta_graph = type(reader.meta_graph(tags))()
        meta_graph.CopyFrom(reader.meta_graph(tags))
        _point_assets_at_files(meta_graph, reader.asset_files(tags))
        meta_graphs.append(meta_graph)
    return meta_graphs


def _point_assets_at_files(meta_graph, asset_files: dict[str, str]) -> None:
    """Bakes the asset files' real paths into their constant nodes (as tensorflow_hub did)."""
    nodes = {name.split(":")[0]: path for name, path in asset_files.items()}
    for node in meta_graph.graph_def.node:
        path = nodes.get(node.name)
        if path is not None:
            if node.op != "Const" or len(node.attr["value"].tensor.string_val) != 1:
                raise errors.UnsupportedGraphError(
                    f"Asset node {node.name!r} must be a scalar string constant, is a {node.op}.")
            node.attr["value"].tensor.string_val[0] = os.fsencode(path)
    if hub_format.ASSETS_COLLECTION in meta_graph.collection_def:
        del meta_graph.collection_def[hub_format.ASSETS_COLLECTION]
