"""Mixed precision and output_shape handling."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import hubcompat


def test_mixed_float16_module_gets_its_dtypes_layer_returns_compute_dtype(
        keras, mlp_bn, mlp_bn_reference):
    keras.mixed_precision.set_global_policy("mixed_float16")
    layer = hubcompat.KerasLayer(mlp_bn)
    assert layer.compute_dtype == "float16"
    x = mlp_bn_reference["input/x"]
    out = layer(tf.constant(x, tf.float16))  # cast back to float32 for the module
    assert out.dtype == tf.float16
    np.testing.assert_allclose(out.numpy(), mlp_bn_reference["infer/default/default"],
                               rtol=2e-2, atol=2e-2)
    assert {tf.as_dtype(w.dtype) for w in layer.weights} == {tf.float32}


def test_mixed_float16_fine_tuning(keras, mlp_bn):
    keras.mixed_precision.set_global_policy("mixed_float16")
    layer = hubcompat.KerasLayer(mlp_bn, trainable=True)
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(4)(inputs)  # float16 into the hub layer
    outputs = keras.layers.Dense(1, dtype="float32")(layer(hidden))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    weights = layer.resolved_object.trainable_variables
    before = [w.numpy().copy() for w in weights]
    rng = np.random.RandomState(0)
    # Several steps: Keras' dynamic loss scaling skips the first ones (overflow).
    model.fit(rng.randn(16, 4).astype("float32"), rng.randn(16, 1).astype("float32"),
              batch_size=8, epochs=4, verbose=0)
    assert all(tf.as_dtype(w.dtype) == tf.float32 for w in weights)
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, weights))


def test_output_shape_sets_static_shapes(keras, my_mul_path):
    layer = hubcompat.KerasLayer(my_mul_path, output_shape=(5,))
    inputs = keras.Input(shape=(5,))
    assert tuple(layer(inputs).shape) == (None, 5)
    assert tuple(layer.compute_output_shape((7, 5))) == (7, 5)


def test_output_shape_nest_for_dict_outputs(keras, tf2_module_path):
    layer = hubcompat.KerasLayer(tf2_module_path, signature="serve",
                                 signature_outputs_as_dict=True,
                                 output_shape={"out": [2], "twice": [2]})
    inputs = keras.Input(shape=(2,))
    outputs = layer(inputs)
    assert {k: tuple(v.shape) for k, v in outputs.items()} == {"out": (None, 2),
                                                               "twice": (None, 2)}


def test_output_shape_attribute_exists_only_when_given(mlp_bn):
    """hub.KerasLayer's ``_output_shape`` (tensorflow_hub's keras_layer_test reads it)."""
    given = hubcompat.KerasLayer(mlp_bn, output_shape=[3])
    assert given._output_shape == given._hc.output_shape
    assert not hasattr(hubcompat.KerasLayer(mlp_bn), "_output_shape")
