"""hubcompat/legacy/writer.py: the module folder it writes, read back by TF's own TF1 loader.

A tiny graph (a variable, two vocabulary assets with the same file name) is
written with ``write_module``; tests/support/tf1_session.py loads it into a
Session, and it must compute what the original graph computed.
"""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2  # noqa: E402

from hubcompat import errors, formats  # noqa: E402
from hubcompat.legacy import writer  # noqa: E402
from hubcompat.tf1 import hub_format  # noqa: E402

from tests.support.tf1_session import TF1Session  # noqa: E402


def _graph(tmp_path):
    """Two tables from vocabularies both named vocab.txt, plus a scaled sum."""
    sources = []
    for folder, words in (("first", "a\nb\n"), ("second", "b\nc\nd\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "vocab.txt").write_text(words)
        sources.append(str(tmp_path / folder / "vocab.txt"))
    graph = tf.Graph()
    with graph.as_default():
        words = tf.compat.v1.placeholder(tf.string, [None], name="words")
        scale = tf.compat.v1.get_variable("scale", initializer=tf.constant(3, tf.int64))
        ids = []
        for i, source in enumerate(sources):
            path = tf.constant(source, name=f"asset_{i}")
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, path)
            table = tf.lookup.StaticHashTable(
                tf.lookup.TextFileInitializer(path, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                              tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), -1)
            ids.append(table.lookup(words))
        output = tf.add(ids[0] * scale, ids[1], name="output")
        meta_graph = tf.compat.v1.train.export_meta_graph()
        signature = meta_graph.signature_def["default"]
        signature.inputs["words"].name = words.name
        signature.outputs["ids"].name = output.name
    return graph, words, output, meta_graph


def test_written_module_computes_what_the_graph_computed(tmp_path):
    graph, words, output, meta_graph = _graph(tmp_path)
    feed = np.array([b"a", b"b", b"c", b"z"])
    with graph.as_default(), tf.compat.v1.Session() as session:
        session.run([tf.compat.v1.global_variables_initializer(), tf.compat.v1.tables_initializer()])
        expected = session.run(output, {words: feed})
        saver = tf.compat.v1.train.Saver()
        module = tmp_path / "module"
        writer.write_module(module, [meta_graph], lambda prefix: saver.save(
            session, prefix, write_meta_graph=False, write_state=False))
    # first[w] * 3 + second[w], -1 when a word is missing: a, b, c, z.
    np.testing.assert_array_equal(expected, [0 * 3 - 1, 1 * 3 + 0, -1 * 3 + 1, -1 * 3 - 1])

    oracle = TF1Session(module)
    inputs, outputs = oracle.signature("default")
    np.testing.assert_array_equal(oracle.run(outputs["ids"], {**oracle.feed, inputs["words"]: feed}),
                                  expected)
    assert sorted(p.name for p in (module / "assets").iterdir()) == ["vocab.txt", "vocab.txt0"]
    assert (module / "assets" / "vocab.txt").read_text() == "a\nb\n"
    assert (module / "assets" / "vocab.txt0").read_text() == "b\nc\nd\n"
    assert (module / formats.MODULE_DEF_FILENAME).read_bytes() == hub_format.MODULE_DEF_V3_BYTES


def test_asset_constants_hold_the_placeholder_and_asset_defs_name_the_files(tmp_path):
    graph, _, _, meta_graph = _graph(tmp_path)
    with graph.as_default(), tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        saver = tf.compat.v1.train.Saver()
        writer.write_module(tmp_path / "module", [meta_graph], lambda prefix: saver.save(
            session, prefix, write_meta_graph=False, write_state=False))
    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((tmp_path / "module" / "saved_model.pb").read_bytes())
    (written,) = proto.meta_graphs
    assets = {}
    for packed in written.collection_def["saved_model_assets"].any_list.value:
        asset = meta_graph_pb2.AssetFileDef()
        packed.Unpack(asset)
        assets[asset.tensor_info.name] = asset.filename
    assert assets == {"asset_0:0": "vocab.txt", "asset_1:0": "vocab.txt0"}
    constants = {n.name: n.attr["value"].tensor.string_val for n in written.graph_def.node
                 if n.name in ("asset_0", "asset_1")}
    assert constants == {"asset_0": [hub_format.ASSET_PLACEHOLDER], "asset_1": [hub_format.ASSET_PLACEHOLDER]}
    assert sorted(p.name for p in (tmp_path / "module" / "variables").iterdir()) == [
        "variables.data-00000-of-00001", "variables.index"]


def test_an_existing_module_is_not_overwritten(tmp_path):
    module = tmp_path / "module"
    module.mkdir()
    (module / formats.MODULE_DEF_FILENAME).write_bytes(b"earlier")
    with pytest.raises(errors.ModuleExistsError) as info:
        writer.write_module(module, [], lambda prefix: None)
    assert repr(str(module / formats.MODULE_DEF_FILENAME)) in str(info.value)
    assert "export to a new folder, or delete it first" in str(info.value)
    assert (module / formats.MODULE_DEF_FILENAME).read_bytes() == b"earlier"
