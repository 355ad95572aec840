"""Writes a TF1 Hub module folder, as tensorflow_hub 0.15's ``Module.export`` did.

Layout (the facts live in :mod:`hubcompat.tf1.hub_format`): ``tfhub_module.pb``
(ModuleDef FORMAT_V3), ``saved_model.pb`` with one MetaGraphDef per tag set,
``variables/variables.*`` (one checkpoint shared by all tag sets) and
``assets/`` (the files named by ``asset_filepaths`` constants).

This is the library's one writer. ``fixtures/tf1_modules/hub_format.py``
writes the fixtures independently, as a test oracle that shares no code with
it; tests/legacy/test_fixture_writer.py exports one graph through both and
compares what they wrote.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable

from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

from hubcompat import errors, formats
from hubcompat._fileio import write_atomic
from hubcompat.resolvers.local import local_path
from hubcompat.tf1 import hub_format


def _asset_node_names(meta_graph: meta_graph_pb2.MetaGraphDef) -> set[str] | None:
    collection = meta_graph.collection_def.get(hub_format.ASSET_FILEPATHS_COLLECTION)
    if collection is None:
        return None
    if collection.WhichOneof("kind") != "node_list":
        raise errors.UnsupportedGraphError(
            f"The {hub_format.ASSET_FILEPATHS_COLLECTION!r} collection is not a list of tensors.")
    for tensor in collection.node_list.value:
        if not tensor.endswith(":0"):
            raise errors.UnsupportedGraphError(
                f"Unexpected tensor {tensor!r} in the {hub_format.ASSET_FILEPATHS_COLLECTION!r} "
                "collection: it must name the first output of a Const.")
    return {tensor[:-2] for tensor in collection.node_list.value}


def move_assets(saved_model: saved_model_pb2.SavedModel) -> dict[bytes, bytes]:
    """Points the asset constants of every graph at ``assets/``; returns {source path: file name}.

    As tensorflow_hub: each constant gets the value ``SAVEDMODEL-ASSET`` and an
    AssetFileDef in the ``saved_model_assets`` collection, named by the
    source's basename (``name0``, ``name1``, ... when another source took it),
    names chosen in the order of the sorted tensor names of each graph.
    """
    chosen: dict[bytes, bytes] = {}
    for meta_graph in saved_model.meta_graphs:
        asset_nodes = _asset_node_names(meta_graph)
        if asset_nodes is None:
            continue
        found: dict[str, bytes] = {}
        for node in meta_graph.graph_def.node:
            if node.name in asset_nodes:
                if node.op != "Const" or len(node.attr["value"].tensor.string_val) != 1:
                    raise errors.UnsupportedGraphError(
                        f"Asset node {node.name!r} must be a scalar string constant.")
                found[node.name + ":0"] = node.attr["value"].tensor.string_val[0]
                node.attr["value"].tensor.string_val[0] = hub_format.ASSET_PLACEHOLDER
        if not found:
            continue
        collection = meta_graph.collection_def[hub_format.ASSETS_COLLECTION]
        for tensor, source in sorted(found.items()):
            if source not in chosen:
                base = os.path.basename(source)
                name, index = base, 0
                while name in chosen.values():
                    name, index = base + str(index).encode(), index + 1
                chosen[source] = name
            asset = meta_graph_pb2.AssetFileDef(filename=os.fsdecode(chosen[source]))
            asset.tensor_info.name = tensor
            collection.any_list.value.add().Pack(asset)
    return chosen


def write_module(path, meta_graphs: Iterable[meta_graph_pb2.MetaGraphDef],
                 save_variables: Callable[[str], None]) -> None:
    """Writes the module; ``save_variables(prefix)`` writes the checkpoint at ``prefix``."""
    path = _local(os.fspath(path))
    module_def = os.path.join(path, hub_format.MODULE_DEF_FILENAME)
    if os.path.exists(module_def):
        raise errors.ModuleExistsError(
            f"{module_def!r} already exists: export to a new folder, or delete it first.")
    saved_model = saved_model_pb2.SavedModel()  # schema version unset, as tensorflow_hub wrote it
    saved_model.meta_graphs.extend(meta_graphs)
    assets = move_assets(saved_model)
    assets_folder = os.path.join(path, hub_format.ASSETS_FOLDER)
    os.makedirs(assets_folder, exist_ok=True)  # always, as tensorflow_hub did
    for source, name in assets.items():
        shutil.copyfile(_local(os.fsdecode(source)), os.path.join(assets_folder, os.fsdecode(name)))
    os.makedirs(os.path.join(path, hub_format.VARIABLES_FOLDER), exist_ok=True)
    save_variables(os.path.join(path, hub_format.VARIABLES_PREFIX))
    write_atomic(os.path.join(path, formats.SAVED_MODEL_FILENAME), saved_model.SerializeToString())
    write_atomic(module_def, hub_format.MODULE_DEF_V3_BYTES)


def _local(path: str) -> str:
    """``file:///x`` as the folder ``/x`` (tensorflow_hub wrote through ``tf.io.gfile``)."""
    return local_path(path) or path if path.startswith("file://") else path
