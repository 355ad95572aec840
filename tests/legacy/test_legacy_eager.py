"""The legacy programs' computations in eager mode, against what genuine
tensorflow_hub 0.15 computed in TF1 Sessions (references/*.txt and the
genuine modules' reference.npz)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import tensorflow as tf

import hubcompat as hub

from tests.support.numerics import ACROSS_MACHINES, assert_close
from tests.support.paths import GENUINE_MISSING, LEGACY_PROGRAMS
from tests.support.printed import assert_prints

sys.path.insert(0, str(LEGACY_PROGRAMS))  # the programs also run where hubcompat is not
import programs


def _genuine(name):
    if programs.missing_genuine([programs.genuine(name)]):
        pytest.skip(GENUINE_MISSING)
    return programs.genuine(name)


def reference_lines(name):
    with open(programs.reference_path(name), encoding="utf-8") as f:
        return f.read()


def test_text_embedding_eager_matches_tf1_session():
    ref = np.load(_genuine("text_embed") + ".reference.npz")
    m = hub.Module(_genuine("text_embed"))
    out = m(ref["input/sentences"])
    assert_close(out.numpy(), ref["infer/default/default"], rtol=ACROSS_MACHINES)
    assert sorted(m.variable_map) == ["embeddings"] and len(m.variable_map["embeddings"]) == 3
    again = m(tf.constant(["the cat"]))
    assert_prints(reference_lines("text_embedding"), "again: ", again)


def test_mlp_bn_signatures_eager_match_tf1_session():
    ref = np.load(_genuine("mlp_bn") + ".reference.npz")
    m = hub.Module(_genuine("mlp_bn"))
    inputs = {k.split("/", 1)[1]: ref[k] for k in ref.files if k.startswith("input/")}
    out = m({"x": inputs["x"]}, as_dict=True)
    for key in ("default", "hidden"):
        assert_close(out[key].numpy(), ref[f"infer/default/{key}"], rtol=ACROSS_MACHINES,
                     err_msg=key)


def test_reference_variables_module_called_twice_shares_variables():
    m = hub.Module(programs.module("ref_variables"))
    text = reference_lines("ref_variables")
    y1 = m([[1.0, 2.0, 3.0]])
    y2 = m(np.array([[0.5, 0.0, -1.0], [1.0, 1.0, 1.0]], np.float32))
    assert_prints(text, "y1: ", y1)
    assert_prints(text, "y2: ", y2)
    scaled = m({"x": [[1.0, 2.0, 3.0]], "scale": 2.0}, signature="scaled", as_dict=True)
    assert_prints(text, "scaled: ", scaled["default"], scaled["bias"])
    m.variable_map["linear/b"].assign([1.0, -1.0])
    assert_prints(text, "after assign y1: ", m([[1.0, 2.0, 3.0]]))
    other = hub.Module(programs.module("ref_variables"))
    assert_prints(text, "other y3: ", other([[1.0, 2.0, 3.0]]))


def test_image_module_eager_and_in_tf_function():
    m = hub.Module(programs.module("image_module"), name="image_module")
    assert hub.get_expected_image_size(m) == [8, 8] and hub.get_num_image_channels(m) == 3
    batch = np.random.RandomState(0).uniform(size=(2, 8, 8, 3)).astype(np.float32)
    text = reference_lines("image_module")
    assert_prints(text, "features: ", m(batch))

    @tf.function
    def logits(images):
        return m({"images": images}, signature="image_classification")

    assert_prints(text, "logits: ", logits(tf.constant(batch)))


def test_fine_tuning_eager_steps_match_tf1_session():
    """4 SGD steps with tags={"train"}: update ops run on each call; losses and
    final variables equal the TF1 Session's (update ops ran via UPDATE_OPS there)."""
    m = hub.Module(programs.module("finetune_mlp"), trainable=True, tags={"train"})
    assert len(m.trainable_variables) == 6 and len(m.regularization_losses) == 2
    rng = np.random.RandomState(1)
    xs = rng.normal(size=(8, 4)).astype(np.float32)
    ys = rng.normal(size=(8, 1)).astype(np.float32)
    optimizer = tf.keras.optimizers.SGD(0.1)
    text = reference_lines("fine_tuning")
    for i in range(4):
        with tf.GradientTape() as tape:
            y = m({"x": xs})
            total = tf.reduce_mean(tf.square(y - ys)) + tf.add_n(
                [loss() for loss in m.regularization_losses])
        grads = tape.gradient(total, m.trainable_variables)
        optimizer.apply_gradients(zip(grads, m.trainable_variables))
        assert_prints(text, f"step {i} loss ", total)
    for key, var in sorted(m.variable_map.items()):
        assert_prints(text, f"{key} ", var)


def test_frozen_module_has_no_trainable_variables_or_losses():
    m = hub.Module(programs.module("finetune_mlp"), tags={"train"})
    assert m.trainable_variables == [] and m.regularization_losses == []


def test_eager_export_loads_in_graph_mode(tmp_path):
    m = hub.Module(programs.module("ref_variables"))
    m.variable_map["linear/b"].assign([1.0, -1.0])
    m.export(str(tmp_path / "out"), None)
    with tf.Graph().as_default():
        g = hub.Module(str(tmp_path / "out"))
        y = g([[1.0, 2.0, 3.0]])
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            assert_prints(reference_lines("ref_variables"), "after assign y1: ", session.run(y))


def test_created_spec_in_eager_mode_uses_module_fn_initializers():
    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2])
        w = tf.compat.v1.get_variable("w", [2, 1], initializer=tf.compat.v1.ones_initializer())
        hub.add_signature(inputs=x, outputs=tf.matmul(x, w))

    spec = hub.create_module_spec(module_fn)
    m = hub.Module(spec)
    np.testing.assert_allclose(m([[1.0, 2.0]]).numpy(), [[3.0]])


def test_eval_function_for_module_works_with_eager_enabled():
    with hub.eval_function_for_module(_genuine("mlp_bn")) as f:
        out = f({"x": [[1.0, 2.0, 3.0, 4.0]]}, as_dict=True)
    assert_prints(reference_lines("eval_function"), "default: ", out["default"])


def test_add_signature_outside_module_fn_raises():
    with pytest.raises(hub.errors.EagerModeError):
        hub.add_signature(inputs=tf.constant([1.0]), outputs=tf.constant([1.0]))
