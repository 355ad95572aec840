"""Big modules: one copy of the variables in memory, none of their values in a GraphDef.

A text-embedding module with 96 MiB of variables in 8 partitions
(fixtures/tf1_modules/scale_module.py) is written into tmp_path. Memory is
the peak RSS of a fresh process above what it held after its imports, for
hubcompat and for raw ``tf.compat.v1.saved_model.load_v2`` (which restores
with RestoreV2 straight into the variables: one copy). A second copy of the
variables, even a transient one, adds 96 MiB; the margin allowed is half that.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.support.paths import FIXTURES
from tests.support.processes import run_python

pytestmark = pytest.mark.heavy

SIZE_MB = 96
SENTENCES = [b"w1 w2 w3", b"w0", b"", b"unknown w7 w7"]


@pytest.fixture(scope="module")
def big_module(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "module"
    proc = subprocess.run(
        [sys.executable, str(FIXTURES / "scale_module.py"), str(path), "--size-mb", str(SIZE_MB)],
        capture_output=True, text=True, check=True)
    return path, int(proc.stdout.strip().splitlines()[-1])


PEAK = """
    import json, os, resource, tempfile
    import numpy as np
    import tensorflow as tf
    import keras
    import hubcompat
    from hubcompat.tf1 import adapter
    tf.constant(0)
    path, SENTENCES = {path!r}, {sentences!r}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    {body}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({{"grew": (peak - before) * 1024, "out": np.asarray(out).tolist()}}))
"""

WAYS = {
    "raw": 'out = tf.compat.v1.saved_model.load_v2(path, tags=[]).signatures["default"]('
           'default=tf.constant(SENTENCES))["default"]',
    "load": "out = hubcompat.load(path)(SENTENCES)",
    "keras_layer": "out = hubcompat.KerasLayer(path)(tf.constant(SENTENCES))",
    "legacy_eager_module": "out = hubcompat.Module(path)(SENTENCES)",
    "legacy_graph_module": """
        with tf.Graph().as_default(), tf.compat.v1.Session() as session:
            embedded = hubcompat.Module(path)(tf.constant(SENTENCES))
            session.run([tf.compat.v1.global_variables_initializer(),
                         tf.compat.v1.tables_initializer()])
            out = session.run(embedded)
    """,
    "convert": 'hubcompat.convert(path, os.path.join(tempfile.mkdtemp(), "c")); '
               'out = np.zeros((4, 128))',
}


def _grew(path, way: str) -> dict:
    body = textwrap.indent(textwrap.dedent(WAYS[way]).strip(), " " * 4)[4:]
    return run_python(PEAK.format(path=str(path), sentences=SENTENCES, body=body))


@pytest.fixture(scope="module")
def raw_run(big_module):
    return _grew(big_module[0], "raw")


@pytest.mark.parametrize("way", ["load", "keras_layer", "legacy_eager_module",
                                 "legacy_graph_module", "convert"])
def test_loading_keeps_one_copy_of_the_variables(big_module, raw_run, way):
    path, nbytes = big_module
    ours = _grew(path, way)
    extra = ours["grew"] - raw_run["grew"]
    assert extra < nbytes / 2, (
        f"{way} grew {ours['grew'] / 2**20:.0f} MiB, raw load_v2 {raw_run['grew'] / 2**20:.0f} MiB "
        f"for {nbytes / 2**20:.0f} MiB of variables")
    if way != "convert":  # outputs equal TF's own loader's
        import numpy as np

        np.testing.assert_allclose(ours["out"], raw_run["out"], atol=1e-5)


def test_graph_mode_graphdef_holds_no_variable_values(big_module):
    """In TF1 graph mode the initializers are restore ops: the Session's GraphDef stays tiny
    whatever the variables' size, so modules over 2 GB load there (proved without 2 GB)."""
    path, nbytes = big_module
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        from tensorflow.core.protobuf import meta_graph_pb2
        import hubcompat
        tf.compat.v1.disable_eager_execution()
        path, SENTENCES = {str(path)!r}, {SENTENCES!r}
        module = hubcompat.load(path)
        sentences = tf.compat.v1.placeholder(tf.string, [None])
        embedded = module(sentences)
        graph_def = tf.compat.v1.get_default_graph().as_graph_def()
        with tf.compat.v1.Session() as session:
            session.run([tf.compat.v1.global_variables_initializer(),
                         tf.compat.v1.tables_initializer()])
            out = session.run(embedded, {{sentences: SENTENCES}})
        # The TF1 reference: TF's own SavedModel loader in a Session.
        with tf.Graph().as_default(), tf.compat.v1.Session() as session:
            meta_graph = tf.compat.v1.saved_model.loader.load(session, [], path)
            feed = {{}}
            for packed in meta_graph.collection_def["saved_model_assets"].any_list.value:
                asset = meta_graph_pb2.AssetFileDef()
                packed.Unpack(asset)
                feed[asset.tensor_info.name] = path + "/assets/" + asset.filename
            session.run(tf.compat.v1.tables_initializer(), feed)
            signature = meta_graph.signature_def["default"]
            reference = session.run(signature.outputs["default"].name,
                                    {{signature.inputs["default"].name: SENTENCES}})
        print(json.dumps({{
            "graph_bytes": graph_def.ByteSize(),
            "largest_node": max(node.ByteSize() for node in graph_def.node),
            "difference": float(np.abs(out - reference).max()),
        }}))
    """)
    assert result["graph_bytes"] < 256 * 1024 < nbytes / 100
    assert result["largest_node"] < 16 * 1024
    assert result["difference"] < 1e-5


def test_converted_saved_model_holds_no_variable_values(big_module, tmp_path):
    """convert's saved_model.pb is as small as the module's graph: the values go to
    the checkpoint, so converting a module over 2 GB hits no protobuf limit."""
    import hubcompat

    path, nbytes = big_module
    report = hubcompat.convert(path, tmp_path / "converted")
    assert report.ok
    assert (tmp_path / "converted" / "saved_model.pb").stat().st_size < 1024 * 1024 < nbytes / 50


def test_inspect_reads_no_variable_value(big_module):
    """inspect's sizes come from the checkpoint index and the graph's shapes."""
    path, nbytes = big_module
    ours = run_python(PEAK.format(path=str(path), sentences=SENTENCES, body=(
        "info = hubcompat.describe(path); out = [info['variables']['bytes']]")))
    assert ours["out"] == [nbytes]
    assert ours["grew"] < nbytes / 4, f"inspect grew {ours['grew'] / 2**20:.0f} MiB"


def test_vocabulary_table_is_initialized_once_at_load(tmp_path):
    """The vocabulary asset is read when the module loads, not again per call or
    per graph: the calls after it is gone still look words up."""
    import shutil

    import numpy as np

    import hubcompat

    reference = np.load(FIXTURES / "text_embed.reference.npz")
    path = tmp_path / "text_embed"
    shutil.copytree(FIXTURES / "text_embed", path)
    module = hubcompat.load(path)
    sentences = reference["input/default/default"]
    first = module(sentences).numpy()
    (path / "assets" / "_vocab.txt").unlink()
    np.testing.assert_allclose(first, reference["infer/default/default"], atol=1e-5)
    np.testing.assert_allclose(module(sentences, training=True), first, atol=1e-5)
    np.testing.assert_allclose(module.signatures["default"](default=sentences)["default"],
                               first, atol=1e-5)
