"""hubcompat.legacy.writer: modules written by Module.export, read back and checked.

Numbers are compared with a tf.compat.v1 Session run of the graph the module
was built from; the asset layout with what genuine tensorflow_hub 0.15 writes
for the same program (when HUBCOMPAT_LEGACY_PYTHON names a Python that has it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

import hubcompat as hub
from hubcompat import errors
from hubcompat.legacy import writer
from hubcompat.tf1 import hub_format

from tests.support.paths import LEGACY_PYTHON

# One program, run with `hub` = hubcompat here and = tensorflow_hub in the genuine
# Python: two assets named vocab.txt, the one created first with the later name.
PROGRAM = textwrap.dedent("""
    import json, os, sys
    import numpy as np
    import tensorflow as tf

    def module_fn(asset_dir):
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        w = tf.compat.v1.get_variable("w", [2, 2], initializer=tf.compat.v1.initializers.constant(
            np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)))
        texts = []
        for node, sub in (("z_path", "a"), ("a_path", "b")):
            path = tf.constant(os.path.join(asset_dir, sub, "vocab.txt"), name=node)
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, path)
            texts.append(tf.io.read_file(path))
        hub.add_signature(inputs={"x": x},
                          outputs={"default": tf.matmul(x, w), "text": tf.strings.join(texts, "|")})

    def export(asset_dir, path):
        spec = hub.create_module_spec(module_fn, tags_and_args=[(set(), {"asset_dir": asset_dir})])
        with tf.Graph().as_default():
            module = hub.Module(spec)
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                module.export(path, session)

    def describe(path):
        from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2
        with open(os.path.join(path, "saved_model.pb"), "rb") as f:
            saved_model = saved_model_pb2.SavedModel.FromString(f.read())
        (meta_graph,) = saved_model.meta_graphs
        assets = []
        for packed in meta_graph.collection_def["saved_model_assets"].any_list.value:
            asset = meta_graph_pb2.AssetFileDef()
            packed.Unpack(asset)
            assets.append([asset.tensor_info.name, asset.filename])
        files = {name: open(os.path.join(path, "assets", name)).read()
                 for name in sorted(os.listdir(os.path.join(path, "assets")))}
        return {"assets": assets, "files": files,
                "collections": sorted(meta_graph.collection_def),
                "schema": saved_model.saved_model_schema_version,
                "module_def": open(os.path.join(path, "tfhub_module.pb"), "rb").read().hex()}

    if __name__ == "__main__":
        import tensorflow_hub as hub
        export(sys.argv[1], sys.argv[2])
        print(json.dumps(describe(sys.argv[2])))
""")


def _program():
    namespace = {"__name__": "program", "hub": hub}
    exec(compile(PROGRAM, "program", "exec"), namespace)
    return namespace


@pytest.fixture
def asset_dir(tmp_path):
    for sub, text in (("a", "alpha"), ("b", "beta")):
        (tmp_path / "src" / sub).mkdir(parents=True)
        (tmp_path / "src" / sub / "vocab.txt").write_text(text)
    return tmp_path / "src"


def test_exported_module_computes_what_tf1_computed(asset_dir, tmp_path):
    program = _program()
    x = np.array([[1.0, -1.0], [0.5, 2.0]], np.float32)
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:  # the TF1 reference
        with tf.compat.v1.variable_scope("", use_resource=True):
            program["hub"] = _Recorder()
            program["module_fn"](str(asset_dir))
        session.run(tf.compat.v1.global_variables_initializer())
        inputs, outputs = program["hub"].signature
        expected = session.run(outputs, {inputs["x"]: x})
    program["hub"] = hub
    program["export"](str(asset_dir), str(tmp_path / "module"))
    shutil.rmtree(asset_dir)  # the module must use its own copies of the assets
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        module = hub.Module(str(tmp_path / "module"))
        got = module(x, as_dict=True)
        session.run(tf.compat.v1.global_variables_initializer())
        got = session.run(got)
    np.testing.assert_allclose(got["default"], expected["default"], rtol=1e-6)
    assert got["text"] == expected["text"] == b"alpha|beta"
    eager = hub.Module(str(tmp_path / "module"))(tf.constant(x), as_dict=True)
    np.testing.assert_allclose(eager["default"].numpy(), expected["default"], rtol=1e-6)
    assert eager["text"].numpy() == b"alpha|beta"


class _Recorder:
    """Stands in for ``hub`` while the reference graph is built: keeps the signature."""

    def add_signature(self, inputs, outputs):
        self.signature = (inputs, outputs)


def test_asset_names_follow_sorted_tensor_names(asset_dir, tmp_path):
    program = _program()
    program["export"](str(asset_dir), str(tmp_path / "module"))
    described = program["describe"](str(tmp_path / "module"))
    # a_path (created second, from b/) sorts first and gets the plain name.
    assert described["assets"] == [["a_path:0", "vocab.txt"], ["z_path:0", "vocab.txt0"]]
    assert described["files"] == {"vocab.txt": "beta", "vocab.txt0": "alpha"}
    assert described["module_def"] == hub_format.MODULE_DEF_V3_BYTES.hex()


def test_layout_is_what_genuine_tensorflow_hub_writes(asset_dir, tmp_path):
    if not shutil.which(LEGACY_PYTHON):
        pytest.skip("needs genuine tensorflow_hub 0.15: set HUBCOMPAT_LEGACY_PYTHON")
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    proc = subprocess.run([LEGACY_PYTHON, str(script), str(asset_dir), str(tmp_path / "genuine")],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr[-4000:]
    genuine = json.loads(proc.stdout.strip().splitlines()[-1])
    program = _program()
    program["export"](str(asset_dir), str(tmp_path / "ours"))
    assert program["describe"](str(tmp_path / "ours")) == genuine


def test_export_refuses_an_existing_module(asset_dir, tmp_path):
    program = _program()
    program["export"](str(asset_dir), str(tmp_path / "module"))
    before = (tmp_path / "module" / "saved_model.pb").read_bytes()
    with pytest.raises(errors.ModuleExistsError, match="already exists"):
        program["export"](str(asset_dir), str(tmp_path / "module"))
    assert (tmp_path / "module" / "saved_model.pb").read_bytes() == before


def _meta_graph_with_asset(tensor_name: str, op: str = "Const"):
    meta_graph = meta_graph_pb2.MetaGraphDef()
    node = meta_graph.graph_def.node.add(name="path", op=op)
    node.attr["value"].tensor.string_val.append(b"/nowhere/vocab.txt")
    meta_graph.collection_def[hub_format.ASSET_FILEPATHS_COLLECTION].node_list.value.append(
        tensor_name)
    return meta_graph


@pytest.mark.parametrize("tensor_name, op, message", [
    ("path:0", "Placeholder", "must be a scalar string constant"),
    ("path:1", "Const", "first output of a Const"),
])
def test_bad_asset_collections_are_refused(tmp_path, tensor_name, op, message):
    with pytest.raises(errors.UnsupportedGraphError, match=message):
        writer.write_module(tmp_path / "m", [_meta_graph_with_asset(tensor_name, op)],
                            lambda prefix: None)
    assert not (tmp_path / "m" / hub_format.MODULE_DEF_FILENAME).exists()


def test_graph_without_assets_gets_no_assets_collection(tmp_path):
    meta_graph = meta_graph_pb2.MetaGraphDef()
    meta_graph.graph_def.node.add(name="c", op="Const")
    meta_graph.collection_def[hub_format.ASSET_FILEPATHS_COLLECTION].node_list.value[:] = []
    writer.write_module(tmp_path / "m", [meta_graph], lambda prefix: None)
    saved_model = saved_model_pb2.SavedModel.FromString((tmp_path / "m" / "saved_model.pb").read_bytes())
    assert hub_format.ASSETS_COLLECTION not in saved_model.meta_graphs[0].collection_def
    assert (tmp_path / "m" / "assets").is_dir()  # created all the same, as tensorflow_hub did


def test_export_to_and_assets_from_file_urls(tmp_path, monkeypatch):
    """tensorflow_hub's e2e test_module_export_vocab_on_custom_fs: file:// URLs are folders."""
    vocab = tmp_path / "vocab_location" / "tokens.txt"
    vocab.parent.mkdir()
    vocab.write_text("one")
    export = tmp_path / "export"
    monkeypatch.chdir(tmp_path)

    def module_fn():
        indices = tf.compat.v1.placeholder(dtype=tf.int64, name="indices")
        initializer = tf.lookup.TextFileInitializer(
            f"file://{vocab}", tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER,
            tf.string, tf.lookup.TextFileIndex.WHOLE_LINE)
        table = tf.compat.v1.lookup.StaticHashTable(initializer, "UNKNOWN")
        hub.add_signature(inputs=indices, outputs=table.lookup(indices))

    with tf.Graph().as_default():
        module = hub.Module(hub.create_module_spec(module_fn))
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.tables_initializer())
            module.export(f"file://{export}", session)
    assert (export / "assets" / "tokens.txt").read_text() == "one"
    assert hub.load_module_spec(str(export)).get_signature_names() == ["default"]
    assert not (tmp_path / "file:").exists()  # nothing written under a folder named "file:"
