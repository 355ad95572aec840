"""hubcompat.load on the modules the real tensorflow_hub exported.

Every number is compared with what TF1 computed: the reference outputs the
genuine hub.Module recorded, or a Session run of the same graph (tests/support/tf1_session.py).
"""

from __future__ import annotations

import tarfile

import numpy as np
import pytest
import tensorflow as tf

import hubcompat
from hubcompat.tf1.adapter import TF1ModuleAdapter

from tests.support import tf1_session
from tests.support.paths import genuine

ATOL = 1e-5


def reference(name):
    return np.load(genuine(f"{name}.reference.npz"))


@pytest.fixture(scope="module")
def mlp_bn_path():
    return genuine("mlp_bn")


def test_mlp_bn_inference_matches_genuine_hub_module(mlp_bn_path):
    ref = reference("mlp_bn")
    module = hubcompat.load(mlp_bn_path)
    assert isinstance(module, TF1ModuleAdapter)
    outputs = module({"x": ref["input/x"]}, as_dict=True)
    for key in ("default", "hidden"):
        np.testing.assert_allclose(outputs[key], ref[f"infer/default/{key}"], atol=ATOL)
    np.testing.assert_allclose(module(ref["input/x"]), ref["infer/default/default"], atol=ATOL)
    np.testing.assert_allclose(
        module(ref["input/x"], signature="double"), ref["infer/double/default"], atol=ATOL
    )


def test_mlp_bn_variables_and_regularization(mlp_bn_path):
    ref = reference("mlp_bn")
    module = hubcompat.load(mlp_bn_path)
    names = sorted(v.name for v in module.variables)
    assert names == sorted(
        f"{n}:0" for n in ["fc1/weights", "fc1/biases", "bn/gamma", "bn/beta", "bn/moving_mean",
                           "bn/moving_variance", "logits/weights", "logits/biases"]
    )
    trainable = {v.name[:-2] for v in module.trainable_variables}
    assert trainable == {k[len("grad/module/"):] for k in ref if k.startswith("grad/module/")}
    trainable_ids = {id(v) for v in module.trainable_variables}
    assert all(v.trainable == (id(v) in trainable_ids) for v in module.variables)
    losses = [float(loss()) for loss in module.regularization_losses]
    np.testing.assert_allclose(sum(losses), ref["regularization_loss"], atol=ATOL)


def test_mlp_bn_gradients_match_tf1(mlp_bn_path):
    ref = reference("mlp_bn")
    x, weights = ref["input/x"], ref["grad_weights"]
    expected = tf1_session.run(mlp_bn_path, (), "default", {"x": x}, "default", weights)["grads"]
    module = hubcompat.load(mlp_bn_path)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(module(x) * weights)
    grads = tape.gradient(loss, module.trainable_variables)
    assert len(grads) == len(expected) == 6
    for var, grad in zip(module.trainable_variables, grads):
        assert grad is not None, var.name
        np.testing.assert_allclose(grad, expected[var.name[:-2]], atol=ATOL)
        # The genuine hub.Module's train-graph gradients (random through dropout): shapes only.
        assert grad.shape == ref[f"grad/module/{var.name[:-2]}"].shape


def test_training_runs_train_graph_and_update_ops(mlp_bn_path):
    ref = reference("mlp_bn")
    x = ref["input/x"]
    expected = tf1_session.run(mlp_bn_path, ("train",), "default", {"x": x}, run_update_ops=True)
    module = hubcompat.load(mlp_bn_path)
    assert int(ref["update_ops_count"]) == 2
    assert frozenset({"train"}) not in module._graphs, "the train graph loads only when needed"
    module(x, training=True)
    assert frozenset({"train"}) in module._graphs
    by_name = {v.name[:-2]: v for v in module.variables}
    for name in ("bn/moving_mean", "bn/moving_variance"):
        np.testing.assert_allclose(by_name[name], expected["variables_after"][name], atol=ATOL)
    # Dropout is active in training only.
    hidden = [module(x, training=True, as_dict=True)["hidden"].numpy() for _ in range(2)]
    assert not np.allclose(hidden[0], hidden[1])
    inference = [module(x, as_dict=True)["hidden"].numpy() for _ in range(2)]
    np.testing.assert_array_equal(inference[0], inference[1])


def test_train_graph_gradients_reach_the_same_variables(mlp_bn_path):
    module = hubcompat.load(mlp_bn_path)
    x = reference("mlp_bn")["input/x"]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(module(x, training=True))
    grads = tape.gradient(loss, module.trainable_variables)
    assert all(g is not None for g in grads)
    # Dropout makes the other gradients random; the logits' biases' is sum(weights) over
    # the batch whatever the mask: the TF1 train graph's value.
    expected = tf1_session.run(mlp_bn_path, ("train",), "default", {"x": x}, "default",
                               np.ones((len(x), 3), np.float32))["grads"]["logits/biases"]
    by_name = dict(zip((v.name[:-2] for v in module.trainable_variables), grads, strict=True))
    np.testing.assert_allclose(by_name["logits/biases"], expected, atol=ATOL)
    np.testing.assert_allclose(expected, np.full(3, float(len(x))), atol=ATOL)


def test_training_as_a_tensor(mlp_bn_path):
    module = hubcompat.load(mlp_bn_path)
    x = reference("mlp_bn")["input/x"]

    @tf.function
    def call(training):
        return module(x, training=training)

    np.testing.assert_allclose(call(tf.constant(False)), module(x), atol=ATOL)
    assert call(tf.constant(True)).shape == (5, 3)


def test_tf_function_matches_eager(mlp_bn_path):
    ref = reference("mlp_bn")
    module = hubcompat.load(mlp_bn_path)

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def predict(x):
        return module({"x": x}, as_dict=True)["default"]

    np.testing.assert_allclose(predict(ref["input/x"]), ref["infer/default/default"], atol=ATOL)


def test_signatures_follow_hub_load_convention(mlp_bn_path):
    ref = reference("mlp_bn")
    module = hubcompat.load(mlp_bn_path)
    assert sorted(module.signatures) == ["default", "double"]
    out = module.signatures["default"](x=tf.constant(ref["input/x"]))
    np.testing.assert_allclose(out["default"], ref["infer/default/default"], atol=ATOL)
    # With one input, hub.load's signature also takes it positionally.
    out = module.signatures["double"](tf.constant(ref["input/x"]))
    np.testing.assert_allclose(out["default"], ref["infer/double/default"], atol=ATOL)
    raw = tf.compat.v1.saved_model.load_v2(str(mlp_bn_path), tags=[])
    assert set(raw.signatures) == set(module.signatures)


def test_info_dicts(mlp_bn_path):
    module = hubcompat.load(mlp_bn_path)
    assert module.get_signature_names() == ["default", "double"]
    info = module.get_input_info_dict()
    assert list(info) == ["x"]
    assert info["x"].dtype == tf.float32 and info["x"].shape.as_list() == [None, 4]
    assert sorted(module.get_output_info_dict()) == ["default", "hidden"]
    assert module.get_output_info_dict("double")["default"].shape.as_list() == [None, 4]
    assert module.get_attached_message("missing", tf.compat.v1.MetaGraphDef) is None


def test_text_embed_with_moved_assets_and_partitions(genuine_copy):
    ref = reference("text_embed")
    path = genuine_copy("text_embed")  # the asset now lives elsewhere than at export
    module = hubcompat.load(path)
    np.testing.assert_allclose(module(ref["input/sentences"]), ref["infer/default/default"], atol=ATOL)
    names = [v.name for v in module.trainable_variables]
    assert names == [f"embeddings/part_{i}:0" for i in range(3)], "each partition exactly once"
    sentences = list(ref["input/sentences"].astype(str))  # a Python list of str works too
    np.testing.assert_allclose(module(sentences), ref["infer/default/default"], atol=ATOL)


def test_text_embed_gradients_match_tf1(genuine_copy):
    ref = reference("text_embed")
    path = genuine_copy("text_embed")
    sentences = ref["input/sentences"]
    weights = np.linspace(-1, 1, ref["infer/default/default"].size, dtype=np.float32).reshape(
        ref["infer/default/default"].shape)
    expected = tf1_session.run(path, (), "default", {"default": sentences}, "default", weights)
    module = hubcompat.load(path)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(module(sentences) * weights)
    grads = tape.gradient(loss, module.trainable_variables)
    for var, grad in zip(module.trainable_variables, grads):
        np.testing.assert_allclose(tf.convert_to_tensor(grad), expected["grads"][var.name[:-2]], atol=ATOL)


def test_upstream_2019_modules(tmp_path):
    with tarfile.open(genuine("upstream/half_plus_two_v1.tar.gz")) as archive:
        archive.extractall(tmp_path, filter="data")
    half_plus_two = hubcompat.load(tmp_path)
    np.testing.assert_allclose(half_plus_two([0.0, 1.0, 4.0]), [2.0, 2.5, 4.0])
    assert sorted(v.name for v in half_plus_two.variables) == ["a:0", "b:0"]
    mini = hubcompat.load(genuine("upstream/hub_module_v1_mini"))
    assert mini.variables == []
    x = np.array([[1.0, 2.0]], np.float32)
    expected = tf1_session.run(genuine("upstream/hub_module_v1_mini"), (), "default", {"default": x})
    np.testing.assert_allclose(mini(x), expected["outputs"]["default"])


def test_file_url_handle(mlp_bn_path):
    module = hubcompat.load(f"file://{mlp_bn_path}")
    assert module.get_signature_names() == ["default", "double"]
