"""KerasLayer on the project's TF1 fixtures, against their TF1 Session references.

fixtures/tf1_modules/*.reference.npz hold deterministic training-graph outputs,
batch-norm updates and gradients recorded in a TF1 Session (docs/fixtures.md).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat


def _by_name(layer):
    return {v.name.split(":")[0]: v for v in layer.resolved_object.variables}


def test_train_graph_output_and_batch_norm_updates_match_tf1(fixture_module):
    path, ref = fixture_module("mlp_bn")
    layer = hubcompat.KerasLayer(path, trainable=True, output_key="normalized")
    x = tf.constant(ref["input/default/x"])
    out = layer(x, training=True)  # batch statistics, before dropout: deterministic
    np.testing.assert_allclose(out.numpy(), ref["train/default/normalized"], rtol=1e-5, atol=1e-5)
    variables = _by_name(layer)
    for name in ("bn/moving_mean", "bn/moving_variance"):
        np.testing.assert_allclose(variables[name].numpy(), ref[f"update/{name}"],
                                   rtol=1e-5, atol=1e-6)


def test_gradients_through_the_layer_match_tf1(fixture_module):
    path, ref = fixture_module("mlp_bn")
    layer = hubcompat.KerasLayer(path, trainable=True)
    variables = _by_name(layer)
    names = sorted(k[len("grad/default/"):] for k in ref if k.startswith("grad/default/"))
    with tf.GradientTape() as tape:
        out = layer(tf.constant(ref["input/default/x"]), training=False)
        loss = tf.reduce_sum(out * ref["grad_weights/default"])
    grads = tape.gradient(loss, [variables[n] for n in names])
    for name, grad in zip(names, grads):
        np.testing.assert_allclose(grad.numpy(), ref[f"grad/default/{name}"], atol=1e-5,
                                   err_msg=name)


# The feature vector signature does not use the module's logits variables.
@pytest.mark.filterwarnings("ignore:Gradients do not exist")
def test_image_module_fine_tunes_in_sequential(keras, fixture_module):
    # An image feature vector module (slim conv/pool/dense, ImageModuleInfo).
    # It has no {"train"} graph and no batch norm; batch-norm updates are
    # checked with mlp_bn above and in test_tf1_modules.py.
    path, ref = fixture_module("image_classifier")
    images = ref["input/default/images"]
    layer = hubcompat.KerasLayer(path, trainable=True)
    np.testing.assert_allclose(layer(images).numpy(), ref["infer/default/default"],
                               rtol=1e-5, atol=1e-5)
    model = keras.Sequential([
        keras.Input(shape=images.shape[1:]),
        layer,
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    conv = _by_name(layer)["conv1/weights"]
    before = conv.numpy().copy()
    rng = np.random.RandomState(0)
    model.fit(rng.rand(12, *images.shape[1:]).astype("float32"), rng.randint(0, 3, 12),
              batch_size=4, epochs=1, verbose=0)
    assert not np.allclose(conv.numpy(), before)


def test_image_classification_signature_gradients_match_tf1(fixture_module):
    path, ref = fixture_module("image_classifier")
    layer = hubcompat.KerasLayer(path, signature="image_classification", output_key="default",
                                 trainable=True)
    variables = _by_name(layer)
    prefix = "grad/image_classification/"
    names = sorted(k[len(prefix):] for k in ref if k.startswith(prefix))
    with tf.GradientTape() as tape:
        out = layer(tf.constant(ref["input/image_classification/images"]))
        loss = tf.reduce_sum(out * ref["grad_weights/image_classification"])
    np.testing.assert_allclose(out.numpy(), ref["infer/image_classification/default"],
                               rtol=1e-5, atol=1e-5)
    grads = tape.gradient(loss, [variables[n] for n in names])
    for name, grad in zip(names, grads):
        np.testing.assert_allclose(grad.numpy(), ref[f"{prefix}{name}"], atol=1e-5, err_msg=name)


def _inputs(ref, signature):
    prefix = f"input/{signature}/"
    return {k[len(prefix):]: tf.constant(v) for k, v in ref.items() if k.startswith(prefix)}


def test_bert_like_dict_inputs_in_a_functional_model(keras, fixture_module):
    # No "default" signature: signature= and output_key= as with hub.KerasLayer.
    path, ref = fixture_module("bert_like")
    layer = hubcompat.KerasLayer(path, signature="tokens", output_key="pooled_output",
                                 trainable=True)
    inputs = {name: keras.Input(shape=(None,), dtype="int32", name=name)
              for name in ("input_ids", "input_mask", "segment_ids")}
    model = keras.Model(inputs, layer(inputs))
    out = model.predict(_inputs(ref, "tokens"), verbose=0)
    np.testing.assert_allclose(out, ref["infer/tokens/pooled_output"], rtol=1e-5, atol=1e-5)
    # training=True runs the {"train"} graph (dropout) only because trainable.
    train = layer(_inputs(ref, "tokens"), training=True).numpy()
    assert not np.allclose(train, ref["infer/tokens/pooled_output"])


def test_arguments_fill_signature_inputs(fixture_module):
    path, ref = fixture_module("multi_input")
    given = _inputs(ref, "default")
    scale = float(given.pop("scale").numpy())
    layer = hubcompat.KerasLayer(path, arguments={"scale": scale})
    np.testing.assert_allclose(layer(given).numpy(), ref["infer/default/default"],
                               rtol=1e-5, atol=1e-5)


def test_elmo_like_string_tokens_with_v1_while_loop(fixture_module):
    path, ref = fixture_module("elmo_like")
    layer = hubcompat.KerasLayer(path, signature="tokens", signature_outputs_as_dict=True)
    out = layer(_inputs(ref, "tokens"))
    for key in ("default", "elmo", "sequence_len"):
        np.testing.assert_allclose(out[key].numpy(), ref[f"infer/tokens/{key}"],
                                   rtol=1e-5, atol=1e-5)


def test_image_module_fine_tunes_with_batch_norm_statistics_updated(keras, fixture_module):
    # image_bn: conv + batch norm with a {"train"} graph and an ImageModuleInfo attachment.
    path, ref = fixture_module("image_bn")
    layer = hubcompat.KerasLayer(path, trainable=True)
    images = tf.constant(ref["input/default/images"])
    np.testing.assert_allclose(layer(images, training=False).numpy(), ref["infer/default/default"],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer(images, training=True).numpy(), ref["train/default/default"],
                               rtol=1e-5, atol=1e-5)
    variables = _by_name(layer)
    for name in ("bn/moving_mean", "bn/moving_variance"):  # one training call: as TF1 updated them
        np.testing.assert_allclose(variables[name].numpy(), ref[f"update/{name}"], rtol=1e-5, atol=1e-6)
    before = {name: v.numpy().copy() for name, v in variables.items()}
    inputs = keras.Input(shape=(8, 8, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(layer(inputs)))
    model.compile(keras.optimizers.SGD(0.1), "mse")
    rng = np.random.RandomState(0)
    model.fit(rng.uniform(size=(16, 8, 8, 3)).astype("float32"),
              rng.randn(16, 2).astype("float32"), batch_size=4, epochs=1, verbose=0)
    for name in ("bn/moving_mean", "bn/moving_variance", "bn/gamma", "conv1/weights",
                 "conv2/biases"):
        assert not np.allclose(variables[name].numpy(), before[name]), name
