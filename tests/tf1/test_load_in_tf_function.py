"""``hubcompat.load`` called inside a ``tf.function``, as ``tf.saved_model.load`` can be.

Each trace loads the module (its variables made outside tf.function's
variable lifting, as TensorFlow's own loader makes them); the numbers are the
TF1 Session's, recorded with the fixture.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import hubcompat

from tests.support.paths import FIXTURES


def test_load_inside_tf_function_on_every_trace(caplog):
    refs = np.load(str(FIXTURES / "mlp_bn.reference.npz"))
    x, want = refs["input/default/x"], refs["infer/default/default"]
    traces = []

    @tf.function
    def embed(batch):
        traces.append(batch.shape)
        module = hubcompat.load(str(FIXTURES / "mlp_bn"))
        return module(batch)

    with caplog.at_level("WARNING"):
        np.testing.assert_allclose(embed(tf.constant(x)).numpy(), want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(embed(tf.constant(x[:1])).numpy(), want[:1], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(embed(tf.constant(x)).numpy(), want, rtol=1e-5, atol=1e-6)
    assert len(traces) == 2  # a second shape traced (and loaded) once more; the third call reused
    # autograph leaves hubcompat's own code alone (no "could not transform" warnings).
    assert not [m for m in caplog.messages if "AutoGraph" in m or "autograph" in m]


def test_module_loaded_outside_traces_once_for_any_batch_size():
    refs = np.load(str(FIXTURES / "mlp_bn.reference.npz"))
    x, want = refs["input/default/x"], refs["infer/default/default"]
    module = hubcompat.load(str(FIXTURES / "mlp_bn"))
    call = tf.function(lambda batch: module(batch), reduce_retracing=True)
    for n in (len(x), 1, 2):
        np.testing.assert_allclose(call(tf.constant(x[:n])).numpy(), want[:n], rtol=1e-5, atol=1e-6)
    assert call.experimental_get_tracing_count() <= 2  # reduce_retracing: one shape-generic trace
