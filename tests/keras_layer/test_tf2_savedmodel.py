"""KerasLayer on TF2 SavedModels: what hub.KerasLayer does, on Keras 3 and tf-keras."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat

from tests.support import tf1_session


def test_seed_my_mul_model_example(my_mul_path):
    # The seed document's example, line for line.
    layer = hubcompat.KerasLayer(my_mul_path)
    np.testing.assert_allclose(layer([10.0, 20.0]).numpy(), [20.0, 40.0])
    layer.trainable = True
    assert [w.numpy() for w in layer.trainable_weights] == [np.float32(2.0)]
    np.testing.assert_allclose([loss.numpy() for loss in layer.losses], [0.004], rtol=1e-6)


def test_is_a_layer_of_the_keras_in_use(keras, my_mul_path):
    layer = hubcompat.KerasLayer(my_mul_path, output_shape=[3])
    assert isinstance(layer, keras.layers.Layer)
    model = keras.Sequential([keras.Input(shape=(3,)), layer, keras.layers.Dense(1)])
    assert model.output_shape == (None, 1)
    inputs = keras.Input(shape=(3,))
    functional = keras.Model(inputs, keras.layers.Dense(2)(layer(inputs)))
    assert functional(np.ones((5, 3), "float32")).shape == (5, 2)


def test_not_trainable_by_default_and_losses_only_when_trainable(my_mul_path):
    layer = hubcompat.KerasLayer(my_mul_path)
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 1
    assert [float(x) for x in layer.losses] in ([], [0.0])  # tf-keras keeps a 0 term
    layer.trainable = True
    assert len(layer.trainable_weights) == 1


def _pair(n=3):
    a = np.arange(2 * n, dtype="float32").reshape(n, 2)
    return {"a": a, "b": np.ones_like(a)}


def test_dict_inputs_and_arguments(tf2_module_path):
    inputs = _pair()
    w = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    layer = hubcompat.KerasLayer(tf2_module_path, arguments={"scale": 3.0})
    np.testing.assert_allclose(layer(inputs).numpy(), 3.0 * (inputs["a"] + 1) @ w)


def test_training_argument_follows_trainable_and_model_mode(keras, tf2_module_path):
    inputs = {k: tf.constant(v) for k, v in _pair().items()}
    frozen = hubcompat.KerasLayer(tf2_module_path)
    inference = frozen(inputs, training=False).numpy()
    # Not trainable: inference mode even when the model trains (like BatchNormalization).
    np.testing.assert_allclose(frozen(inputs, training=True).numpy(), inference)
    tuned = hubcompat.KerasLayer(tf2_module_path, trainable=True)
    np.testing.assert_allclose(tuned(inputs, training=True).numpy(), inference + 100.0)
    np.testing.assert_allclose(tuned(inputs, training=False).numpy(), inference)


def test_fit_fine_tunes_tf2_model_with_regularization(keras, tf2_module_path):
    layer = hubcompat.KerasLayer(tf2_module_path, trainable=True)
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(2,), name="b")
    model = keras.Model({"a": a, "b": b}, keras.layers.Dense(1)(layer({"a": a, "b": b})))
    model.compile(keras.optimizers.SGD(1e-4), "mse")
    assert len(model.losses) == 1
    np.testing.assert_allclose(float(model.losses[0]), 0.5 * (1 + 4 + 9 + 16))
    w = layer.resolved_object.w
    before = w.numpy().copy()
    model.fit(_pair(8), np.zeros((8, 1), "float32"), batch_size=4, epochs=1, verbose=0)
    assert not np.allclose(w.numpy(), before)
    assert layer.resolved_object.count.numpy() >= 1  # the training trace ran


def test_signature_with_output_key_and_as_dict(tf2_module_path):
    x = np.array([[1.0, 1.0]], "float32")
    out = hubcompat.KerasLayer(tf2_module_path, signature="serve", output_key="out")(x)
    np.testing.assert_allclose(out.numpy(), [[4.0, 6.0]])
    both = hubcompat.KerasLayer(tf2_module_path, signature="serve",
                                signature_outputs_as_dict=True)({"x": x})
    assert sorted(both) == ["out", "twice"]
    np.testing.assert_allclose(both["twice"].numpy(), 2 * x)


def test_accepts_a_loaded_object(my_mul_path):
    loaded = tf.saved_model.load(my_mul_path)
    layer = hubcompat.KerasLayer(loaded, trainable=True)
    assert layer.resolved_object is loaded
    np.testing.assert_allclose(layer(tf.constant([1.5])).numpy(), [3.0])


@pytest.mark.parametrize("batch", [1, 7])
def test_unknown_batch_size(keras, my_mul_path, batch):
    layer = hubcompat.KerasLayer(my_mul_path, output_shape=[2])
    model = keras.Sequential([keras.Input(shape=(2,)), layer])
    assert model.output_shape == (None, 2)
    out = model.predict(np.ones((batch, 2), "float32"), verbose=0)
    np.testing.assert_allclose(out, 2 * np.ones((batch, 2)))


def test_seed_text_classifier_with_tf_keras_namespace(text_embed):
    # The seed's code spells Keras as tf.keras; it must be the Keras hubcompat uses.
    embed = hubcompat.KerasLayer(text_embed)
    sentences = ["A long sentence.", "single-word", "http://example.com"]
    embeddings = embed(sentences)
    assert tuple(embeddings.shape) == (3, 6) and embeddings.dtype == tf.float32
    expected = tf1_session.run(text_embed, (), "default", {"default": np.array(sentences)})
    np.testing.assert_allclose(embeddings.numpy(), expected["outputs"]["default"], atol=1e-5)
    model = tf.keras.Sequential([
        embed,
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])
    assert model(tf.constant(["the cat"])).shape == (1, 1)
