"""KerasLayer on the real-architecture fixtures, call by call as genuine hub.Module computed them.

``fixtures/genuine_tf15/architectures/`` (see tests/support/call_sequences.py):
``inception_like`` (177 weight-decay losses, batch norm) and ``stateful_elmo``
(stateful LSTMs in v1 while loops, an l2 loss under control dependencies).
Runs under Keras 3 and, with TF_USE_LEGACY_KERAS=1, tf-keras.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat

from tests.support import call_sequences as cs
from tests.support.numerics import assert_close

pytestmark = pytest.mark.heavy


def _grads_by_name(layer, grads) -> dict:
    """Keras weights (Keras 3 wraps each variable) -> the module variable's name."""
    result = {}
    for weight, grad in zip(layer.trainable_weights, grads):
        variable = weight if isinstance(weight, tf.Variable) else weight.value
        result[cs.variable_name(variable)] = grad
    return result


@pytest.mark.parametrize("mode", cs.MODES)
@pytest.mark.parametrize("name", cs.NAMES)
def test_keras_layer_outputs_gradients_and_state_per_call(name, mode):
    layer = hubcompat.KerasLayer(cs.folder(name), trainable=True, signature_outputs_as_dict=True)
    module = layer.resolved_object
    for k, call in enumerate(cs.calls(name, mode)):
        with tf.GradientTape() as tape:
            outputs = layer(tf.constant(call.call_input), training=mode == "train")
            loss = tf.reduce_sum(outputs[cs.GRAD_OUTPUT] * call.grad_weights)
        grads = tape.gradient(loss, layer.trainable_weights)
        where = f"KerasLayer {name} {mode} call {k}"
        cs.assert_outputs(outputs, call, where)
        cs.assert_grads(_grads_by_name(layer, grads), call, where)
        cs.assert_state(module.variables, call, where)


@pytest.mark.parametrize("name", cs.NAMES)
def test_keras_layer_losses_are_the_modules_regularization_losses(name):
    layer = hubcompat.KerasLayer(cs.folder(name), trainable=True)
    ref = cs.reference(name)
    values = [float(x) for x in layer.losses]
    assert len(values) == int(ref["regularization_loss_count"])
    assert_close(values, ref["regularization_losses"], rtol=cs.RTOL)
    layer.trainable = False
    assert sum(float(x) for x in layer.losses) == 0.0


def test_stateful_elmo_fine_tunes_in_fit(keras):
    # The l2 loss under control dependencies joins the training loss; the
    # LSTM states move with each batch, as they did with hub.Module.
    layer = hubcompat.KerasLayer(cs.folder("stateful_elmo"), trainable=True)
    inputs = keras.Input(shape=(), dtype="string")
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    model.compile(keras.optimizers.SGD(0.1), "mse")
    variables = {cs.variable_name(v): v for v in layer.resolved_object.variables}
    before = {key: v.numpy().copy() for key, v in variables.items()}
    sentences = tf.constant(["the cat sat", "a dog", "hello", "the mat sat on a cat"])
    history = model.fit(sentences, np.arange(4, dtype="float32"), batch_size=4, epochs=2,
                        verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    for key in ("elmo/ELMo_W", "bilm/forward/kernel", "bilm/forward/state_h",
                "elmo/output_bn/moving_mean"):
        assert not np.allclose(variables[key].numpy(), before[key]), key
