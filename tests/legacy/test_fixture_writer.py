"""The library's writer and the fixtures' independent writer write the same module.

``fixtures/tf1_modules/hub_format.py`` stays an oracle that shares no code with
``hubcompat.legacy.writer`` (see both docstrings): one graph (variables, a
partitioned variable, two assets with one basename, an attachment, a sparse
input) is exported through both, and everything they wrote is compared.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

import hubcompat as hub
from hubcompat.tf1 import hub_format

from tests.support.paths import FIXTURES

sys.path.insert(0, str(FIXTURES))
import hub_format as oracle  # the fixtures' independent writer (FIXTURES, on sys.path)


def _graph(asset_dir):
    """Builds the module's graph; returns its one signature's (inputs, outputs)."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    ids = tf.compat.v1.sparse_placeholder(tf.int64, [None, None], name="ids")
    w = tf.compat.v1.get_variable("w", [3, 2], initializer=tf.compat.v1.initializers.constant(
        np.arange(6, dtype=np.float32).reshape(3, 2) / 10))
    emb = tf.compat.v1.get_variable(
        "emb", [6, 2], partitioner=tf.compat.v1.fixed_size_partitioner(2),
        initializer=tf.compat.v1.initializers.constant(0.25))
    texts = []
    for sub in ("a", "b"):  # two files named vocab.txt: the second becomes vocab.txt0
        path = tf.constant(str(asset_dir / sub / "vocab.txt"), name=f"path_{sub}")
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, path)
        texts.append(tf.io.read_file(path))
    embedded = tf.nn.embedding_lookup_sparse(emb, ids, None, combiner="sum")
    outputs = {"default": tf.matmul(x, w) + embedded, "text": tf.strings.join(texts, "|")}
    return {"x": x, "ids": ids}, outputs


ATTACHMENT = ("image_module_info", oracle.image_module_info(32, 24))


def _assets(tmp_path):
    for sub, text in (("a", "alpha"), ("b", "beta")):
        (tmp_path / "src" / sub).mkdir(parents=True)
        (tmp_path / "src" / sub / "vocab.txt").write_text(text)
    return tmp_path / "src"


def _write_with_library(asset_dir, path):
    def module_fn():
        inputs, outputs = _graph(asset_dir)
        hub.add_signature(inputs=inputs, outputs=outputs)
        hub.attach_message(ATTACHMENT[0], hub.ImageModuleInfo.FromString(ATTACHMENT[1]))

    spec = hub.create_module_spec(module_fn)
    with tf.Graph().as_default():
        module = hub.Module(spec)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            module.export(str(path), session)


def _write_with_oracle(asset_dir, path):
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.variable_scope("", use_resource=True):
        inputs, outputs = _graph(asset_dir)
    variant = oracle.Variant(tags=frozenset(), graph=graph,
                             signatures={"default": (inputs, outputs)},
                             attachments=dict([ATTACHMENT]))
    oracle.export_variant(variant)
    path.mkdir()
    oracle.write_saved_model(str(path), [variant])
    with graph.as_default(), tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        oracle.save_checkpoint(session, str(path))


def _saved_model(path) -> saved_model_pb2.SavedModel:
    return saved_model_pb2.SavedModel.FromString((path / "saved_model.pb").read_bytes())


def _assets_of(meta_graph):
    result = []
    for packed in meta_graph.collection_def[hub_format.ASSETS_COLLECTION].any_list.value:
        asset = meta_graph_pb2.AssetFileDef()
        packed.Unpack(asset)
        result.append((asset.tensor_info.name, asset.filename))
    return result


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("writers")
    asset_dir = _assets(tmp)
    _write_with_library(asset_dir, tmp / "library")
    _write_with_oracle(asset_dir, tmp / "oracle")
    return tmp / "library", tmp / "oracle"


def test_same_module_def_and_files(written):
    library, oracle_dir = written
    assert (library / "tfhub_module.pb").read_bytes() == (oracle_dir / "tfhub_module.pb").read_bytes()
    files = [sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
             for root in written]
    assert files[0] == files[1]
    assert "assets/vocab.txt" in files[0] and "assets/vocab.txt0" in files[0]
    for name in ("vocab.txt", "vocab.txt0"):
        assert (library / "assets" / name).read_bytes() == (oracle_dir / "assets" / name).read_bytes()


def test_same_meta_graph(written):
    library, oracle_dir = (_saved_model(p) for p in written)
    assert library.saved_model_schema_version == oracle_dir.saved_model_schema_version
    (ours,), (theirs,) = library.meta_graphs, oracle_dir.meta_graphs
    assert list(ours.meta_info_def.tags) == list(theirs.meta_info_def.tags) == []
    assert dict(ours.signature_def) == dict(theirs.signature_def)
    assert sorted(ours.collection_def) == sorted(theirs.collection_def)
    assert _assets_of(ours) == _assets_of(theirs) == [("path_a:0", "vocab.txt"),
                                                      ("path_b:0", "vocab.txt0")]
    assert (hub_format.parse_attachments(
                ours.collection_def[hub_format.ATTACHMENTS_COLLECTION].bytes_list.value)
            == hub_format.parse_attachments(
                theirs.collection_def[hub_format.ATTACHMENTS_COLLECTION].bytes_list.value)
            == dict([ATTACHMENT]))
    nodes = [{n.name: (n.op, n.attr.get("value")) for n in m.graph_def.node} for m in (ours, theirs)]
    assert nodes[0] == nodes[1]
    for name in ("path_a", "path_b"):
        assert list(nodes[0][name][1].tensor.string_val) == [hub_format.ASSET_PLACEHOLDER]
    assert ours == theirs  # and nothing else differs either


def test_same_checkpoint(written):
    readers = [tf.train.load_checkpoint(str(p / "variables" / "variables")) for p in written]
    shapes = [r.get_variable_to_shape_map() for r in readers]
    assert shapes[0] == shapes[1] == {"w": [3, 2], "emb": [6, 2]}
    for key in shapes[0]:
        np.testing.assert_array_equal(readers[0].get_tensor(key), readers[1].get_tensor(key))
