"""Regularization losses cut out of the graph, and which variables count as a module's state.

The numbers of real architectures are in test_real_architectures.py; these are
the rules, on small modules written with hubcompat's own hub.Module API.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat
from hubcompat import errors

from tests.support import call_sequences as cs
from tests.support.modules import export
from tests.support.paths import FIXTURES


def test_a_loss_computed_from_a_signature_input_is_refused_at_load(tmp_path):
    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        w = tf.compat.v1.get_variable("w", [2, 1])
        y = tf.matmul(x, w)
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES,
                                       tf.reduce_sum(y ** 2, name="activity_loss"))
        hubcompat.add_signature(inputs=x, outputs=y)

    path = export(tmp_path, module_fn)
    with pytest.raises(errors.UnsupportedGraphError, match="activity_loss.*signature input 'x'") as info:
        hubcompat.load(path)
    assert f"Module {path!r}" in str(info.value)
    assert "a regularization loss can only depend on the module's variables" in str(info.value)


def test_a_loss_under_control_dependencies_on_the_input_runs_without_it(tmp_path):
    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        w = tf.compat.v1.get_variable("w", [2, 1])
        y = tf.matmul(x, w)
        with tf.control_dependencies([y]):
            loss = tf.multiply(0.5, tf.reduce_sum(tf.square(w)), name="l2")
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES, loss)
        hubcompat.add_signature(inputs=x, outputs=y)

    m = hubcompat.load(export(tmp_path, module_fn))
    (loss,) = m.regularization_losses
    w = m.variables[0]
    np.testing.assert_allclose(float(loss()), 0.5 * np.sum(w.numpy() ** 2), rtol=1e-6)
    with tf.GradientTape() as tape:
        value = loss()
    np.testing.assert_allclose(tape.gradient(value, w).numpy(), w.numpy(), rtol=1e-6)


def test_variable_initializers_do_not_make_a_module_stateful():
    # ref_vars: reference variables (their initializers are Assign ops); only
    # its train graph assigns them.
    assert hubcompat.load(str(FIXTURES / "ref_vars")).stateful_variables == []
    assert hubcompat.load(str(FIXTURES / "mlp_bn")).stateful_variables == []
    elmo = hubcompat.load(cs.folder("stateful_elmo"))
    assert sorted(cs.variable_name(v) for v in elmo.stateful_variables) == [
        f"bilm/{direction}/state_{part}"
        for direction in ("backward", "forward") for part in ("c", "h")]
