"""KerasLayer on genuine TF1 Hub modules: inference as hub.Module computed it, and fine-tuning.

Reference numbers come from the real tensorflow_hub 0.15 ``hub.Module`` in a
TF1 Session (``../shared/genuine_tf1/*.reference.npz``).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat

from tests.support import tf1_session

VOCAB_SENTENCES = ["hello world", "the cat sat on the mat", "a dog", "the mat", "cat dog",
                   "hello cat", "world on a mat"]


def test_text_embedding_matches_hub_module(text_embed, text_embed_reference):
    embed = hubcompat.KerasLayer(text_embed)
    sentences = [s.decode() for s in text_embed_reference["input/sentences"]]
    out = embed(sentences)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), text_embed_reference["infer/default/default"],
                               rtol=1e-5, atol=1e-6)


def test_mlp_defaults_to_default_signature_and_output(mlp_bn, mlp_bn_reference):
    x = mlp_bn_reference["input/x"]
    ref = mlp_bn_reference
    np.testing.assert_allclose(hubcompat.KerasLayer(mlp_bn)(x).numpy(),
                               ref["infer/default/default"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hubcompat.KerasLayer(mlp_bn)({"x": x}).numpy(),
                               ref["infer/default/default"], rtol=1e-5, atol=1e-6)
    hidden = hubcompat.KerasLayer(mlp_bn, output_key="hidden")(x)
    np.testing.assert_allclose(hidden.numpy(), ref["infer/default/hidden"], rtol=1e-5, atol=1e-6)
    both = hubcompat.KerasLayer(mlp_bn, signature_outputs_as_dict=True)(x)
    assert sorted(both) == ["default", "hidden"]
    double = hubcompat.KerasLayer(mlp_bn, signature="double")(x)
    np.testing.assert_allclose(double.numpy(), ref["infer/double/default"], rtol=1e-5, atol=1e-6)


def test_text_classifier_trains_with_fit_and_embeddings_change(keras, text_embed):
    # The seed's text classifier: the hub layer first, no keras.Input.
    embed = hubcompat.KerasLayer(text_embed, trainable=True)
    model = keras.Sequential([
        embed,
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
    x = tf.constant(VOCAB_SENTENCES * 4)
    y = np.array([1, 0, 1, 0, 1, 0, 1] * 4, "float32")
    before = [w.numpy().copy() for w in embed.trainable_weights]
    assert len(before) == 3  # the three partitions of the embedding matrix
    history = model.fit(x, y, batch_size=7, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    changed = [not np.allclose(b, w.numpy()) for b, w in zip(before, embed.trainable_weights)]
    assert all(changed)
    assert model.predict(tf.constant(["hello world"]), verbose=0).shape == (1, 1)


def _name_of(weight, by_name):
    """The module variable behind a Keras weight (Keras 3 wraps it, tf-keras does not)."""
    variable = weight if isinstance(weight, tf.Variable) else weight.value
    return next(name for name, v in by_name.items() if v is variable)


def _variables_by_name(layer):
    return {v.name.split(":")[0]: v for v in layer.resolved_object.variables}


def test_trainable_tf1_module_exposes_weights_and_regularization(mlp_bn, mlp_bn_reference):
    layer = hubcompat.KerasLayer(mlp_bn, trainable=True)
    by_name = _variables_by_name(layer)
    names = {name for name, v in by_name.items()}
    trainable = {_name_of(w, by_name) for w in layer.trainable_weights}
    non_trainable = {_name_of(w, by_name) for w in layer.non_trainable_weights}
    assert non_trainable == {"bn/moving_mean", "bn/moving_variance"}
    assert trainable == names - non_trainable
    np.testing.assert_allclose(sum(float(x) for x in layer.losses),
                               mlp_bn_reference["regularization_loss"], rtol=1e-5)


def test_gradients_reach_every_trainable_weight(mlp_bn, mlp_bn_reference):
    layer = hubcompat.KerasLayer(mlp_bn, trainable=True)
    x = tf.constant(mlp_bn_reference["input/x"])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x, training=True) * mlp_bn_reference["grad_weights"])
    grads = tape.gradient(loss, layer.trainable_weights)
    by_shape = {mlp_bn_reference[f"grad/module/{name}"].shape
                for name in ("fc1/weights", "fc1/biases", "bn/gamma", "bn/beta",
                             "logits/weights", "logits/biases")}
    assert all(g is not None for g in grads)
    assert {tuple(g.shape) for g in grads} == by_shape
    # Dropout makes the other gradients random; the logits' biases' is the TF1 train graph's.
    expected = tf1_session.run(mlp_bn, ("train",), "default", {"x": x.numpy()}, "default",
                               mlp_bn_reference["grad_weights"])["grads"]["logits/biases"]
    (bias_grad,) = [g for g in grads if tuple(g.shape) == (3,)]  # the only weight of shape (3,)
    np.testing.assert_allclose(bias_grad, expected, atol=1e-5)


def test_training_true_runs_train_graph_only_when_trainable(mlp_bn, mlp_bn_reference):
    x = tf.constant(mlp_bn_reference["input/x"])
    ref = mlp_bn_reference["infer/default/default"]
    frozen = hubcompat.KerasLayer(mlp_bn)
    np.testing.assert_allclose(frozen(x, training=True).numpy(), ref, rtol=1e-5, atol=1e-6)
    tuned = hubcompat.KerasLayer(mlp_bn, trainable=True)
    mean = _variables_by_name(tuned)["bn/moving_mean"]
    before = mean.numpy().copy()
    np.testing.assert_allclose(tuned(x, training=False).numpy(), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(mean.numpy(), before)
    train_out = tuned(x, training=True).numpy()
    assert not np.allclose(train_out, ref)  # batch statistics + dropout
    assert not np.allclose(mean.numpy(), before)  # the update ops ran


def test_seed_trainable_toggle_after_construction(mlp_bn, mlp_bn_reference):
    layer = hubcompat.KerasLayer(mlp_bn)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 8
    assert sum(float(x) for x in layer.losses) == 0.0
    layer.trainable = True
    assert len(layer.trainable_weights) == 6
    np.testing.assert_allclose(sum(float(x) for x in layer.losses),
                               mlp_bn_reference["regularization_loss"], rtol=1e-5)


def _fit_mlp(keras, layer, epochs=2):
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    model.compile(keras.optimizers.SGD(0.05), "mse")
    rng = np.random.RandomState(0)
    x = rng.randn(32, 4).astype("float32") * 3 + 1
    model.fit(x, rng.randn(32, 1).astype("float32"), batch_size=8, epochs=epochs, verbose=0)
    return model


def test_tf1_module_fine_tunes_with_batch_norm_statistics_updated(keras, mlp_bn):
    # Genuine mlp_bn: dense + batch norm + dropout with a {"train"} graph. The
    # image module case (fixture image_bn) is in test_tf1_fixtures.py.
    layer = hubcompat.KerasLayer(mlp_bn, trainable=True)
    variables = _variables_by_name(layer)
    before = {name: v.numpy().copy() for name, v in variables.items()}
    _fit_mlp(keras, layer)
    for name in ("bn/moving_mean", "bn/moving_variance", "fc1/weights", "bn/gamma",
                 "logits/biases"):
        assert not np.allclose(variables[name].numpy(), before[name]), name


def test_frozen_tf1_module_does_not_change_in_fit(keras, mlp_bn):
    layer = hubcompat.KerasLayer(mlp_bn)
    variables = _variables_by_name(layer)
    before = {name: v.numpy().copy() for name, v in variables.items()}
    _fit_mlp(keras, layer, epochs=1)
    for name, v in variables.items():
        np.testing.assert_array_equal(v.numpy(), before[name])


@pytest.mark.parametrize("batch", [1, 5, 9])
def test_unknown_batch_size_in_functional_model(keras, mlp_bn, batch):
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, hubcompat.KerasLayer(mlp_bn)(inputs))
    assert model.output_shape == (None, 3)
    ones = np.ones((batch, 4), "float32")
    predicted = model.predict(ones, verbose=0)
    assert predicted.shape == (batch, 3)
    expected = tf1_session.run(mlp_bn, (), "default", {"x": ones})["outputs"]["default"]
    np.testing.assert_allclose(predicted, expected, atol=1e-5)


def test_string_input_functional_model(keras, text_embed, text_embed_reference):
    inputs = keras.Input(shape=(), dtype="string")
    model = keras.Model(inputs, hubcompat.KerasLayer(text_embed)(inputs))
    assert model.output_shape == (None, 6)
    out = model.predict(tf.constant(text_embed_reference["input/sentences"]), verbose=0)
    np.testing.assert_allclose(out, text_embed_reference["infer/default/default"],
                               rtol=1e-5, atol=1e-6)
