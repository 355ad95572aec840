"""The committed fixtures in fixtures/tf1_modules are complete, consistent, and hub-shaped.

Checks files, ModuleDef bytes, tag sets, archives and reference keys against
catalog.json, and compares the structure of our TF1 Hub writer's output with
the genuine modules exported by tensorflow_hub 0.15 (../shared/genuine_tf1).
The numbers are checked in test_fixture_references.py.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, GENUINE, GENUINE_MISSING

CATALOG = json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]
BY_NAME = {f["name"]: f for f in CATALOG}
HUB = sorted(f["name"] for f in CATALOG if f["format"] == "tf1_hub")
# Our fixture -> the genuine module of the same design.
ANALOGOUS = {f["name"]: f["genuine"] for f in CATALOG if f.get("genuine")}
HUB_COLLECTIONS = {
    "variables", "trainable_variables", "model_variables", "regularization_losses",
    "update_ops", "table_initializer", "asset_filepaths", "saved_model_assets",
    "hub_module_attachments", "while_context", "cond_context",
}


def _saved_model(folder: Path):
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((folder / "saved_model.pb").read_bytes())
    return proto


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _fields(data: bytes):
    """(field number, value) of a protobuf message: enough for ModuleAttachment."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        if key & 7 == 0:
            value, pos = _varint(data, pos)
        else:
            assert key & 7 == 2, "unexpected wire type"
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        yield key >> 3, value


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if not byte & 0x80:
            return result, pos


def test_catalog_lists_every_fixture_folder():
    folders = {p.name for p in FIXTURES.iterdir() if (p / "saved_model.pb").exists()}
    assert folders == {f["folder"] for f in CATALOG}
    assert {"tf1_hub", "tf1_saved_model", "tf2_saved_model"} == {f["format"] for f in CATALOG}


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_files_exist_and_sizes_are_small(name):
    fixture = BY_NAME[name]
    folder = FIXTURES / fixture["folder"]
    assert (folder / "saved_model.pb").is_file()
    assert (folder / "variables" / "variables.index").is_file()
    assert (folder / "variables" / "variables.data-00000-of-00001").is_file()
    assert (FIXTURES / fixture["archive"]).is_file()
    assert (FIXTURES / fixture["reference"]).is_file()
    assert sum(len(b) for b in _files(folder).values()) < 200_000
    if fixture["format"] == "tf1_hub":
        assert (folder / "tfhub_module.pb").read_bytes() == b"\x08\x03"  # FORMAT_V3
    else:
        assert not (folder / "tfhub_module.pb").exists()


def test_all_fixtures_together_stay_small():
    total = sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file())
    assert total < 3_000_000


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_saved_model_tag_sets_and_signatures_as_catalogued(name):
    fixture = BY_NAME[name]
    proto = _saved_model(FIXTURES / fixture["folder"])
    assert [sorted(mg.meta_info_def.tags) for mg in proto.meta_graphs] == fixture["tag_sets"]
    if fixture["format"] == "tf2_saved_model":
        assert proto.meta_graphs[0].HasField("object_graph_def")
        return
    from tensorflow.dtypes import as_dtype

    for meta_graph in proto.meta_graphs:
        assert sorted(meta_graph.signature_def) == sorted(fixture["signatures"])
        for sig_name, sig in fixture["signatures"].items():
            signature_def = meta_graph.signature_def[sig_name]
            for kind in ("inputs", "outputs"):
                infos = getattr(signature_def, kind)
                assert sorted(infos) == sorted(sig[kind])
                for key, spec in sig[kind].items():
                    info = infos[key]
                    assert as_dtype(info.dtype).name == spec["dtype"]
                    assert (info.WhichOneof("encoding") == "coo_sparse") == spec["sparse"]
                    dims = [d.size if d.size >= 0 else None for d in info.tensor_shape.dim]
                    assert (None if info.tensor_shape.unknown_rank else dims) == spec["shape"]


@pytest.mark.parametrize("name", HUB)
def test_hub_module_layout_is_what_hub_exported(name):
    from tensorflow.core.protobuf import meta_graph_pb2

    folder = FIXTURES / BY_NAME[name]["folder"]
    for meta_graph in _saved_model(folder).meta_graphs:
        assert not meta_graph.HasField("saver_def")  # hub exported without a Saver
        assert not meta_graph.asset_file_def  # assets live in a collection instead
        assert set(meta_graph.collection_def) <= HUB_COLLECTIONS
        assert all(sig.method_name == "" for sig in meta_graph.signature_def.values())
        nodes = {n.name: n for n in meta_graph.graph_def.node}
        paths = meta_graph.collection_def["asset_filepaths"].node_list.value
        assets = meta_graph.collection_def["saved_model_assets"].any_list.value
        assert len(paths) == len(assets)
        for any_proto in assets:
            asset = meta_graph_pb2.AssetFileDef()
            assert any_proto.Unpack(asset)
            assert asset.tensor_info.name in paths
            node = nodes[asset.tensor_info.name.split(":")[0]]
            assert node.op == "Const"
            assert list(node.attr["value"].tensor.string_val) == [b"SAVEDMODEL-ASSET"]
            assert (folder / "assets" / asset.filename).is_file()


def test_image_module_info_attachment_gives_the_image_size():
    fixture = BY_NAME["image_classifier"]
    for meta_graph in _saved_model(FIXTURES / fixture["folder"]).meta_graphs:
        values = meta_graph.collection_def["hub_module_attachments"].bytes_list.value
        attachments = [dict(_fields(v)) for v in values]  # ModuleAttachment{1: key, 2: value}
        assert [a[1] for a in attachments] == [b"image_module_info"]
        info = dict(_fields(attachments[0][2]))
        size = dict(_fields(info[1]))  # ImageModuleInfo.default_image_size
        assert [size[1], size[2]] == [12, 16]  # height, width
    shape = fixture["signatures"]["default"]["inputs"]["images"]["shape"]
    assert shape == [None, 12, 16, 3]


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_archive_holds_the_folder_files_at_its_root(name):
    fixture = BY_NAME[name]
    folder = FIXTURES / fixture["folder"]
    with tarfile.open(FIXTURES / fixture["archive"], "r:gz") as tar:
        members = tar.getmembers()
        files = {m.name: tar.extractfile(m).read() for m in members if m.isfile()}
    assert all(not m.name.startswith(("/", "./", fixture["folder"] + "/")) for m in members)
    assert files == _files(folder)
    assert "saved_model.pb" in files


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_reference_keys_are_catalogued_and_consistent(name):
    fixture = BY_NAME[name]
    with np.load(FIXTURES / fixture["reference"], allow_pickle=False) as ref:
        keys = sorted(ref.files)
        arrays = {k: ref[k] for k in keys}
    assert keys == fixture["reference_keys"]
    assert any(k.startswith("infer/") for k in keys)
    for key in keys:
        kind, _, rest = key.partition("/")
        assert kind in {"input", "infer", "train", "grad", "grad_weights", "update",
                        "regularization_loss", "update_ops_count"}
        if fixture["format"] == "tf2_saved_model" or kind not in ("input", "infer", "train"):
            continue
        sig, name_, *part = rest.split("/")
        spec = fixture["signatures"][sig]["inputs" if kind == "input" else "outputs"][name_]
        assert part == ([] if not spec["sparse"] else [part[0]])
        if not spec["sparse"] and spec["shape"] is not None:
            assert arrays[key].ndim == len(spec["shape"])
    for sig in {k.split("/")[1] for k in keys if k.startswith("grad/")}:
        assert f"grad_weights/{sig}" in keys
    if fixture["format"] == "tf1_hub":
        assert {"regularization_loss", "update_ops_count"} <= set(keys)


@pytest.mark.parametrize("name", HUB)
def test_checkpoint_keys_are_variable_names(name):
    import tensorflow as tf
    from tensorflow.core.framework import variable_pb2

    folder = FIXTURES / BY_NAME[name]["folder"]
    reader = tf.train.load_checkpoint(str(folder / "variables" / "variables"))
    expected = {}
    for meta_graph in _saved_model(folder).meta_graphs:
        for value in meta_graph.collection_def["variables"].bytes_list.value:
            var = variable_pb2.VariableDef.FromString(value)
            if var.HasField("save_slice_info_def"):  # a partition: saved as a slice
                expected[var.save_slice_info_def.full_name] = list(var.save_slice_info_def.full_shape)
            else:
                expected[var.variable_name.split(":")[0]] = None
    shapes = reader.get_variable_to_shape_map()
    assert set(shapes) == set(expected)
    for key, full_shape in expected.items():
        assert full_shape is None or shapes[key] == full_shape


def _genuine(name: str) -> Path:
    path = GENUINE / name
    if not (path / "saved_model.pb").exists():
        pytest.skip(GENUINE_MISSING)
    return path


def _structure(folder: Path) -> dict:
    import tensorflow as tf

    result = {}
    for mg in _saved_model(folder).meta_graphs:
        result[tuple(sorted(mg.meta_info_def.tags))] = {
            "collections": {k: v.WhichOneof("kind") for k, v in mg.collection_def.items()},
            "signatures": {
                name: {
                    kind: {k: (v.WhichOneof("encoding"), v.dtype)
                           for k, v in getattr(sig, kind).items()}
                    for kind in ("inputs", "outputs")
                }
                for name, sig in mg.signature_def.items()
            },
            "nodes": {(n.name, n.op) for n in mg.graph_def.node},
            "saver": mg.HasField("saver_def"),
            "asset_file_def": len(mg.asset_file_def),
        }
    result["checkpoint"] = tf.train.load_checkpoint(
        str(folder / "variables" / "variables")).get_variable_to_shape_map()
    return result


@pytest.mark.parametrize("name", sorted(ANALOGOUS))
def test_structure_matches_the_genuine_module(name):
    genuine = _structure(_genuine(ANALOGOUS[name]))
    ours = _structure(FIXTURES / BY_NAME[name]["folder"])
    assert set(ours) == set(genuine)
    assert ours["checkpoint"] == genuine["checkpoint"]
    for tags in (t for t in genuine if t != "checkpoint"):
        mine, theirs = ours[tags], genuine[tags]
        assert mine["collections"] == theirs["collections"], tags
        assert (mine["saver"], mine["asset_file_def"]) == (theirs["saver"], theirs["asset_file_def"])
        assert set(mine["signatures"]) == set(theirs["signatures"])
        for sig, infos in theirs["signatures"].items():
            assert mine["signatures"][sig]["inputs"] == infos["inputs"]
            # Ours may add outputs (mlp_bn's `normalized`), never lose one.
            for key, kind in infos["outputs"].items():
                assert mine["signatures"][sig]["outputs"][key] == kind
        # Same op names and types, apart from initializer seeds' attrs.
        assert mine["nodes"] == theirs["nodes"], tags


GENUINE_TF15 = FIXTURES.parent / "genuine_tf15"
TF15 = sorted(p.name for p in GENUINE_TF15.iterdir() if (p / "tfhub_module.pb").exists()) \
    if GENUINE_TF15.exists() else []


@pytest.mark.parametrize("name", TF15)
def test_our_module_has_the_structure_hub_015_exported(name):
    """fixtures/genuine_tf15/NAME: the same module_fn exported by genuine hub 0.15."""
    genuine = _structure(GENUINE_TF15 / name)
    ours = _structure(FIXTURES / BY_NAME[name]["folder"])
    assert ours["checkpoint"] == genuine["checkpoint"]
    assert set(ours) == set(genuine)
    for tags in (t for t in genuine if t != "checkpoint"):
        assert ours[tags] == genuine[tags], tags
    for tags, meta_graph in _meta_graphs(GENUINE_TF15 / name).items():
        assert _meta_graphs(FIXTURES / name)[tags].signature_def == meta_graph.signature_def
    assert (GENUINE_TF15 / name / "tfhub_module.pb").read_bytes() == b"\x08\x03"


@pytest.mark.parametrize("name", TF15)
def test_hub_015_computed_our_references(name):
    """hub.Module on the genuine export (same weights) gave our reference values."""
    with np.load(GENUINE_TF15 / f"{name}.reference.npz") as genuine, \
            np.load(FIXTURES / BY_NAME[name]["reference"]) as ours:
        shared = [k for k in genuine.files if k.split("/")[0] in ("infer", "train", "update")]
        assert shared
        for key in shared:
            if genuine[key].dtype.kind in "SOb":
                np.testing.assert_array_equal(genuine[key], ours[key], err_msg=key)
            else:
                np.testing.assert_allclose(genuine[key], ours[key], atol=1e-5, err_msg=key)


def _meta_graphs(folder: Path) -> dict:
    return {tuple(sorted(m.meta_info_def.tags)): m for m in _saved_model(folder).meta_graphs}
