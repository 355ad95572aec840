"""``hubcompat.describe`` / ``python -m hubcompat inspect`` on every fixture and genuine module.

Expected values come from the fixtures' catalog.json (written when TF1 built
them), their reference .npz files (what TF1 computed) and the modules' own
MetaGraphDefs read with plain protobuf, never from earlier hubcompat output.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from tensorflow.core.protobuf import saved_model_pb2

import hubcompat

from tests.support.paths import FIXTURES, GENUINE, genuine
from tests.support.processes import run_cli
from tests.support.references import CATALOG

TF1_FIXTURES = sorted(n for n, f in CATALOG.items() if f["format"] != "tf2_saved_model")
TF2_FIXTURES = sorted(n for n, f in CATALOG.items() if f["format"] == "tf2_saved_model")


def _collection_size(folder, tags, key: str) -> int:
    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((folder / "saved_model.pb").read_bytes())
    (meta_graph,) = [m for m in proto.meta_graphs if set(m.meta_info_def.tags) == set(tags)]
    collection = meta_graph.collection_def.get(key)
    if collection is None:
        return 0
    return max(len(collection.bytes_list.value), len(collection.node_list.value))


@pytest.fixture(scope="module")
def described():
    return {name: hubcompat.describe(str(FIXTURES / name)) for name in CATALOG}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_describes_format_tags_and_signatures_as_built(described, name):
    info, fixture = described[name], CATALOG[name]
    assert info["format"] == fixture["format"]
    assert info["tag_sets"] == sorted(sorted(t) for t in fixture["tag_sets"])
    expected = {s: {"inputs": v["inputs"], "outputs": v["outputs"]}
                for s, v in fixture["signatures"].items()}
    if fixture["format"] == "tf2_saved_model":
        call = fixture["calls"]["__call__"]
        assert info["call"] == {"exists": True, "accepts_training": call["training"]}
        assert info["training"] is None
        assert info["regularization_losses"] == 1
        return
    assert info["signatures"] == expected
    assert info["call"]["exists"] == ("default" in expected)


@pytest.mark.parametrize("name", TF1_FIXTURES)
def test_variables_losses_and_update_ops_match_the_graph(described, name):
    info, folder = described[name], FIXTURES / name
    tags = info["tags"]
    variables = info["variables"]
    assert variables["count"] == _collection_size(folder, tags, "variables")
    assert variables["trainable_count"] == _collection_size(folder, tags, "trainable_variables")
    assert len(variables["list"]) == variables["count"]
    assert variables["elements"] == sum(int(np.prod(v["shape"])) for v in variables["list"])
    assert info["regularization_losses"] == _collection_size(folder, tags, "regularization_losses")
    training = info["training"]
    with np.load(FIXTURES / CATALOG[name]["reference"]) as ref:
        if "update_ops_count" in ref.files:
            assert training["update_ops"] == int(ref["update_ops_count"])
    assert training["train_graph"] == (["train"] in info["tag_sets"])


def test_training_changes_what_the_train_graph_computes_differently(described):
    mlp = described["mlp_bn"]["training"]
    assert mlp["changed_outputs"]["default"] == ["default", "hidden", "normalized"]
    # double's train graph is its inference graph; it runs without the batch-norm
    # updates, which need default's input x.
    assert mlp["changed_outputs"]["double"] == [] and not mlp["unavailable"]
    assert described["ref_vars"]["training"]["changed_outputs"] == {"default": ["default"]}
    bert = described["bert_like"]["training"]["changed_outputs"]
    assert bert["tokenization_info"] == [] and bert["tokens"] == ["pooled_output", "sequence_output"]
    assert described["text_embed"]["training"]["changed_outputs"] == {}


def test_assets_and_attached_messages(described):
    assert described["text_embed"]["assets"] == ["_vocab.txt"]
    assert described["bert_like"]["assets"] == ["vocab.txt"]
    assert described["tf1_saved_model_plain"]["assets"] == ["labels.txt"]
    image = described["image_classifier"]["attached_messages"]["image_module_info"]
    assert image == {"type": "ImageModuleInfo", "default_image_size": [12, 16]}
    assert described["bert_like"]["call"] == {"exists": False, "accepts_training": False}


@pytest.mark.parametrize("name", ["mlp_bn", "text_embed", "upstream/half_plus_two_v1.tar.gz",
                                  "upstream/hub_module_v1_mini"])
def test_describes_genuine_modules(name, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_CACHE_DIR", str(tmp_path))
    info = hubcompat.describe(str(genuine(name)))
    assert info["format"] == "tf1_hub"
    assert "default" in info["signatures"] and info["call"]["exists"]
    if name == "mlp_bn":
        assert sorted(info["signatures"]) == ["default", "double"]
        assert sorted(info["signatures"]["default"]["outputs"]) == ["default", "hidden"]
        with np.load(GENUINE / "mlp_bn.reference.npz") as ref:
            assert info["training"]["update_ops"] == int(ref["update_ops_count"])
    if name.startswith("upstream/half"):
        assert [v["name"] for v in info["variables"]["list"]] == ["a", "b"]



@pytest.mark.heavy
def test_cli_json_and_text(tmp_path):
    result = run_cli("inspect", FIXTURES / "mlp_bn", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["variables"]["count"] == 8 and info["training"]["update_ops"] == 2
    text = run_cli("inspect", FIXTURES / "image_classifier", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "image_module_info (ImageModuleInfo, image size 12x16)" in text.stdout
    assert re.search(r"input images: +float32 \[\?, 12, 16, 3\]", text.stdout)


@pytest.mark.heavy
def test_cli_tags_select_the_train_graph(tmp_path):
    result = run_cli("inspect", FIXTURES / "mlp_bn", "--tags", "train", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tags"] == ["train"]


def test_cli_bad_handle_names_it_and_exits_2(tmp_path):
    missing = tmp_path / "no_such_module"
    result = run_cli("inspect", missing, cwd=tmp_path)
    assert result.returncode == 2
    assert str(missing) in result.stderr and "Traceback" not in result.stderr
