"""hubcompat._tf2_call: what a restored TF2 ``__call__`` was traced for."""

from __future__ import annotations

import pytest
import tensorflow as tf

from hubcompat import _tf2_call

from tests.support.paths import FIXTURES


class _Scaler(tf.Module):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable(2.0)

    @tf.function
    def __call__(self, x, training=False):
        return x * self.v if training else x + self.v


class _Declared(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def __call__(self, x):
        return 2.0 * x


@pytest.fixture(scope="module")
def restored(tmp_path_factory):
    model = _Scaler()
    model.__call__.get_concrete_function(tf.TensorSpec([None, 4], tf.float32), training=False)
    model.__call__.get_concrete_function(tf.TensorSpec([None, 4], tf.float32), training=True)
    folder = str(tmp_path_factory.mktemp("saved") / "scaler")
    tf.saved_model.save(model, folder)
    return tf.saved_model.load(folder)


def test_every_saved_trace_with_its_specs_and_python_values(restored):
    traces = _tf2_call.call_traces(restored)
    assert len(traces) == 2
    assert {trace.args[0] for trace in traces} == {tf.TensorSpec([None, 4], tf.float32, name="x")}
    trained_with = {trace.args[1] if len(trace.args) > 1 else trace.kwargs.get("training")
                    for trace in traces}
    assert trained_with == {True, False}
    assert _tf2_call.takes_training(restored)
    assert _tf2_call.call_parameters(restored)[:2] == ["x", "training"]
    # and the traces run: training=True multiplies by v, as traced
    assert float(restored(tf.constant([[3.0] * 4]), training=True)[0, 0]) == 6.0


def test_a_fixture_saved_model_reads_as_traced():
    restored = tf.saved_model.load(str(FIXTURES / "tf2_mul"))
    (trace,) = _tf2_call.call_traces(restored)
    assert trace.args[0].dtype == tf.float32 and trace.args[0].shape.rank is None
    assert not _tf2_call.takes_training(restored)


def test_declared_input_signature_and_objects_without_a_traced_call():
    declared = _tf2_call.declared_input_signature(_Declared())
    assert declared == (tf.TensorSpec([None, 3], tf.float32),)
    assert _tf2_call.declared_input_signature(_Scaler()) is None
    plain = tf.Module()
    assert _tf2_call.call_function(plain) is None
    assert _tf2_call.call_traces(plain) == []
    assert _tf2_call.call_parameters(plain) == []
    assert _tf2_call.call_traces(lambda x: x) == []
    assert not _tf2_call.takes_training(lambda x: x)
