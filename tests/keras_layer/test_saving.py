"""KerasLayer configs, .keras files, SavedModel export and the seed's re-export flow."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf

import hubcompat


def _x(mlp_bn_reference):
    return tf.constant(mlp_bn_reference["input/x"])


def test_config_round_trip_keeps_tags_and_output_choice(mlp_bn, mlp_bn_reference):
    layer = hubcompat.KerasLayer(mlp_bn, tags=[], output_key="hidden", name="mlp")
    config = layer.get_config()
    assert config["handle"] == mlp_bn
    assert config["tags"] == []  # hub.KerasLayer dropped tags
    assert config["signature"] == "default" and config["output_key"] == "hidden"
    clone = hubcompat.KerasLayer.from_config(config)
    assert clone.name == "mlp" and clone.get_config() == config
    np.testing.assert_allclose(clone(_x(mlp_bn_reference)).numpy(),
                               mlp_bn_reference["infer/default/hidden"], rtol=1e-5, atol=1e-6)


def test_config_round_trip_tf2_arguments_and_output_shape(tf2_module_path):
    layer = hubcompat.KerasLayer(tf2_module_path, arguments={"scale": 3.0}, output_shape=[2])
    config = layer.get_config()
    assert config["arguments"] == {"scale": 3.0} and list(config["output_shape"]) == [2]
    clone = hubcompat.KerasLayer.from_config(config)
    inputs = {"a": tf.ones([2, 2]), "b": tf.zeros([2, 2])}
    np.testing.assert_array_equal(clone(inputs).numpy(), layer(inputs).numpy())


def _mlp_model(keras, layer):
    inputs = keras.Input(shape=(4,))
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(layer(inputs)))


def _fit(model, keras, epochs=1):
    model.compile(keras.optimizers.SGD(0.05), "mse")
    rng = np.random.RandomState(1)
    model.fit(rng.randn(16, 4).astype("float32"), rng.randn(16, 2).astype("float32"),
              batch_size=8, epochs=epochs, verbose=0)


def test_keras_file_round_trip_with_fine_tuned_weights(keras, mlp_bn, mlp_bn_reference, tmp_path):
    layer = hubcompat.KerasLayer(mlp_bn, trainable=True, output_key="hidden")
    model = _mlp_model(keras, layer)
    _fit(model, keras)
    x = _x(mlp_bn_reference)
    fine_tuned = layer(x).numpy()
    assert not np.allclose(fine_tuned, mlp_bn_reference["infer/default/hidden"])
    path = str(tmp_path / "m.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
    hub_layer = next(lay for lay in reloaded.layers if isinstance(lay, hubcompat.KerasLayer))
    assert hub_layer.trainable
    # The module was loaded again from its handle, then given the fine-tuned weights.
    np.testing.assert_allclose(hub_layer(x).numpy(), fine_tuned, rtol=1e-6, atol=1e-6)


def test_keras_file_round_trip_text_model(keras, text_embed, tmp_path):
    inputs = keras.Input(shape=(), dtype="string")
    embed = hubcompat.KerasLayer(text_embed, tags=set())
    model = keras.Model(inputs, keras.layers.Dense(1)(embed(inputs)))
    path = str(tmp_path / "text.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    x = tf.constant(["hello world", "the cat sat on the mat"])
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_tf_saved_model_save_of_the_model(keras, mlp_bn, mlp_bn_reference, tmp_path):
    layer = hubcompat.KerasLayer(mlp_bn, trainable=True)
    model = _mlp_model(keras, layer)
    _fit(model, keras)
    x = _x(mlp_bn_reference)
    expected = model(x, training=False).numpy()
    export = str(tmp_path / "exported")
    tf.saved_model.save(model, export)
    restored = tf.saved_model.load(export)
    serve = restored.signatures["serving_default"]
    (out,) = serve(**{serve.structured_input_signature[1].popitem()[0]: x}).values()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_seed_reexport_of_fine_tuned_loaded_object(keras, mlp_bn, mlp_bn_reference, tmp_path):
    # The seed's "Re-exporting the fine-tuning result", with a TF1 Hub module.
    loaded_obj = hubcompat.load(mlp_bn)
    hub_layer = hubcompat.KerasLayer(loaded_obj, trainable=True, output_key="default")
    model = _mlp_model(keras, hub_layer)
    _fit(model, keras, epochs=2)
    export_module_dir = os.path.join(str(tmp_path), "finetuned_model_export")
    tf.saved_model.save(loaded_obj, export_module_dir)

    x = _x(mlp_bn_reference)
    fine_tuned = hub_layer(x).numpy()
    assert not np.allclose(fine_tuned, mlp_bn_reference["infer/default/default"])
    reloaded = hubcompat.load(export_module_dir)  # a TF2 SavedModel now
    np.testing.assert_allclose(reloaded(x).numpy(), fine_tuned, rtol=1e-5, atol=1e-6)
    again = hubcompat.KerasLayer(export_module_dir)
    np.testing.assert_allclose(again(x).numpy(), fine_tuned, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("trainable", [False, True])
def test_tf2_keras_file_round_trip(keras, my_mul_path, tmp_path, trainable):
    layer = hubcompat.KerasLayer(my_mul_path, trainable=trainable, output_shape=[3])
    model = keras.Sequential([keras.Input(shape=(3,)), layer, keras.layers.Dense(1)])
    _fit_tf2 = model.compile(keras.optimizers.SGD(0.01), "mse")
    del _fit_tf2
    model.fit(np.ones((8, 3), "float32"), np.zeros((8, 1), "float32"), verbose=0)
    assert (layer.resolved_object.v.numpy() != 2.0) == trainable
    path = str(tmp_path / "mul.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
