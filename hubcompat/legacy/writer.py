"""Writes a TF1 Hub module folder, as tensorflow_hub 0.15's ``Module.export`` did.

Layout: ``tfhub_module.pb`` (ModuleDef FORMAT_V3), ``saved_model.pb`` with one
MetaGraphDef per tag set, ``variables/variables.*`` (one checkpoint shared by
all tag sets) and ``assets/`` (files named by ``ASSET_FILEPATHS`` constants).
"""

from __future__ import annotations

import os
import shutil

from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

from hubcompat import errors, formats
from hubcompat._fileio import write_atomic
from hubcompat.legacy.module_spec import ASSETS_KEY
from hubcompat.legacy.protos import MODULE_DEF_V3

ASSET_PLACEHOLDER = b"SAVEDMODEL-ASSET"


def _asset_filenames(saved_model) -> dict[bytes, str]:
    """Turns ``ASSET_FILEPATHS`` constants into AssetFileDefs; returns source -> asset name."""
    chosen: dict[bytes, str] = {}
    for meta_graph in saved_model.meta_graphs:
        if "asset_filepaths" not in meta_graph.collection_def:
            continue
        tensors = list(meta_graph.collection_def["asset_filepaths"].node_list.value)
        nodes = {t.split(":")[0] for t in tensors}
        found = {}
        for node in meta_graph.graph_def.node:
            if node.name in nodes:
                if node.op != "Const" or len(node.attr["value"].tensor.string_val) != 1:
                    raise errors.UnsupportedGraphError(
                        f"Asset node {node.name!r} must be a scalar string constant.")
                source = node.attr["value"].tensor.string_val[0]
                if source not in chosen:
                    base = os.path.basename(os.fsdecode(source))
                    name, index = base, 0
                    while name in chosen.values():
                        name, index = f"{base}{index}", index + 1
                    chosen[source] = name
                found[node.name + ":0"] = chosen[source]
                node.attr["value"].tensor.string_val[0] = ASSET_PLACEHOLDER
        collection = meta_graph.collection_def[ASSETS_KEY]
        for tensor, filename in sorted(found.items()):
            asset = meta_graph_pb2.AssetFileDef(filename=filename)
            asset.tensor_info.name = tensor
            collection.any_list.value.add().Pack(asset)
    return chosen


def write_module(path, meta_graphs, save_variables) -> None:
    """Writes the module; ``save_variables(prefix)`` writes the checkpoint at ``prefix``."""
    path = os.fspath(path)
    module_def = os.path.join(path, formats.MODULE_DEF_FILENAME)
    if os.path.exists(module_def):
        raise errors.ModuleExistsError(
            f"{module_def!r} already exists: export to a new folder, or delete it first.")
    saved_model = saved_model_pb2.SavedModel(saved_model_schema_version=1)
    saved_model.meta_graphs.extend(meta_graphs)
    assets = _asset_filenames(saved_model)
    os.makedirs(path, exist_ok=True)
    os.makedirs(os.path.join(path, "assets"), exist_ok=True)  # always, as tensorflow_hub did
    for source, name in assets.items():
        shutil.copyfile(os.fsdecode(source), os.path.join(path, "assets", name))
    os.makedirs(os.path.join(path, "variables"), exist_ok=True)
    save_variables(os.path.join(path, "variables", "variables"))
    write_atomic(os.path.join(path, formats.SAVED_MODEL_FILENAME), saved_model.SerializeToString())
    write_atomic(module_def, MODULE_DEF_V3)
