"""The tensorflow_hub 0.15 surface: names, errors and the on-disk format of exports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import hubcompat as hub
from hubcompat import errors

from tests.support.paths import FIXTURES, REPO

# Our fixture: the same module_fn genuine tensorflow_hub exported as ../shared/genuine_tf1/mlp_bn
# (tests/fixtures/test_fixtures.py checks they are structurally identical), shipped with the repo.
MLP_BN = str(FIXTURES / "mlp_bn")
LEGACY_NAMES = [
    "Module", "ModuleSpec", "load_module_spec", "create_module_spec", "add_signature",
    "attach_message", "attach_image_module_info", "ImageModuleInfo", "get_expected_image_size",
    "get_num_image_channels", "text_embedding_column", "text_embedding_column_v2",
    "sparse_text_embedding_column", "image_embedding_column", "eval_function_for_module",
    "register_module_for_export", "LatestModuleExporter",
]


def test_legacy_names_are_lazy_and_resolve():
    code = ("import sys, hubcompat; assert 'tensorflow' not in sys.modules; "
            f"assert set({LEGACY_NAMES!r}) <= set(dir(hubcompat))")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    for name in LEGACY_NAMES:
        assert getattr(hub, name) is not None


def test_image_module_info_bytes_match_tensorflow_hub():
    # Serialized by tensorflow_hub 0.15's image_module_info_pb2 for height=3, width=4.
    info = hub.ImageModuleInfo(default_image_size=hub.ImageModuleInfo.InputSize(height=3, width=4))
    assert info.SerializeToString() == b"\n\x04\x08\x03\x10\x04"


def test_estimator_exporters_raise_a_clear_error():
    from hubcompat._tf_private import estimator_module

    if estimator_module() is not None:
        pytest.skip("tf.estimator exists here (TF <= 2.15): tests/legacy/test_estimator.py runs them")
    with pytest.raises(NotImplementedError, match="tf.estimator was removed"):
        hub.register_module_for_export(object(), "tf_hub")
    with pytest.raises(errors.EstimatorUnavailableError, match="module.export"):
        hub.LatestModuleExporter("tf_hub", lambda: None)


def test_module_in_another_graph_raises_runtime_error():
    with tf.Graph().as_default():
        m = hub.Module(MLP_BN)
    with tf.Graph().as_default(), pytest.raises(RuntimeError, match="graph it was instantiated"):
        m(np.zeros((1, 4), np.float32), signature="double")


def test_unknown_tags_and_bad_inputs_raise_like_tensorflow_hub():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="No such graph variant"):
            hub.Module(MLP_BN, tags={"serve"})
        m = hub.Module(MLP_BN)
        with pytest.raises(TypeError, match="missing"):
            m({"y": [[1.0, 2.0, 3.0, 4.0]]})
        with pytest.raises(TypeError, match="Expected"):
            m({"x": [[1.0, 2.0]]})


def test_signature_without_default_output_needs_as_dict():
    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        hub.add_signature(inputs=x, outputs={"twice": x * 2})

    with tf.Graph().as_default():
        m = hub.Module(hub.create_module_spec(module_fn))
        with pytest.raises(TypeError, match="no output named 'default'"):
            m([1.0])
        assert sorted(m([1.0], as_dict=True)) == ["twice"]


def test_export_refuses_to_overwrite(tmp_path):
    with tf.Graph().as_default():
        m = hub.Module(MLP_BN)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            m.export(str(tmp_path), session)
            with pytest.raises(FileExistsError):
                m.export(str(tmp_path), session)
    spec = hub.load_module_spec(str(tmp_path))
    assert spec.get_tags() == [frozenset(), frozenset({"train"})]


def test_spec_export_from_checkpoint(tmp_path):
    spec = hub.load_module_spec(MLP_BN)
    with tf.Graph().as_default():
        m = hub.Module(spec)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            session.run(m.variable_map["logits/biases"].assign([1.0, 2.0, 3.0]))
            prefix = tf.compat.v1.train.Saver(m.variable_map).save(session, str(tmp_path / "ckpt"))
    spec.export(str(tmp_path / "module"), checkpoint_path=prefix)
    reader = tf.train.load_checkpoint(str(tmp_path / "module" / "variables" / "variables"))
    np.testing.assert_allclose(reader.get_tensor("logits/biases"), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="checkpoint_path"):
        spec.export(str(tmp_path / "other"))


def test_load_module_spec_rejects_a_tf2_saved_model(tmp_path):
    tf.saved_model.save(tf.Module(), str(tmp_path))
    with pytest.raises(ValueError, match="not a TF1 Hub module"):
        hub.load_module_spec(str(tmp_path))


def test_unsupported_collections_need_drop_collections():
    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        tf.compat.v1.add_to_collection("my_collection", x)
        hub.add_signature(inputs=x, outputs=x * 2)

    with pytest.raises(NotImplementedError, match="drop_collections"):
        hub.create_module_spec(module_fn)
    spec = hub.create_module_spec(module_fn, drop_collections=["my_collection"])
    assert spec.get_signature_names() == ["default"]


def test_colocation_errors_start_with_tensorflow_hubs_sentences():
    """tensorflow_hub's testBadInputColocation / testBadStateColocation regexes."""

    def bad_input():
        u = tf.constant(1.0, name="u")
        with tf.compat.v1.colocate_with(u):
            x = tf.compat.v1.placeholder(tf.float32, name="x")
        hub.add_signature(inputs=x, outputs=x + u)

    def bad_state():
        u = tf.constant(1.0, name="u")
        with tf.compat.v1.colocate_with(u):
            v = tf.compat.v1.get_variable("v", [], use_resource=True)
        hub.add_signature(outputs=v + u)

    with pytest.raises(ValueError, match=r"^A tensor x used as input in a signature must not be "
                       r"subject to a tf\.colocate_with\(y\) constraint(?s:.*)loc:@u"):
        hub.create_module_spec(bad_input)
    with pytest.raises(ValueError, match=r"^A state-holding node x of a module's graph(?s:.*)"
                       r"colocate(?s:.*)loc:@u"):
        hub.create_module_spec(bad_state)
