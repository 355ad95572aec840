"""What cannot work under tf.distribute fails early, with a hubcompat.errors exception.

These run in the test process: a one-device MirroredStrategy needs no logical
device setup.
"""

from __future__ import annotations

import pytest
import tensorflow as tf

import hubcompat
from hubcompat import errors
from hubcompat.tf1 import distributed_updates


@pytest.fixture
def strategy():
    return tf.distribute.MirroredStrategy(["/cpu:0"])


def test_fine_tuning_a_model_loaded_outside_the_scope_is_refused(fixture_module, strategy):
    path, _ = fixture_module("mlp_bn")
    loaded = hubcompat.load(path)  # variables created outside strategy.scope()
    with strategy.scope():
        with pytest.raises(errors.LayerArgumentError,
                           match=r"MirroredStrategy.scope\(\).*Load the model inside"):
            hubcompat.KerasLayer(loaded, trainable=True)
        # Inference reads the variables wherever they are: allowed.
        hubcompat.KerasLayer(loaded)
        # Loading inside the scope mirrors them.
        layer = hubcompat.KerasLayer(path, trainable=True)
    assert all(isinstance(v, tf.distribute.DistributedValues)
               for v in layer.resolved_object.variables)


def test_an_update_op_that_cannot_be_aggregated_is_refused():
    # A scatter update of a distributed variable: its per-replica writes have
    # no cross-replica mean, so the training signature is refused.
    graph = tf.Graph()
    with graph.as_default():
        handle = tf.compat.v1.placeholder(tf.resource, [], name="embeddings")
        update = tf.raw_ops.ResourceScatterAdd(
            resource=handle, indices=tf.constant([0]), updates=tf.constant([[1.0]]),
            name="scatter")
        plain_handle = tf.compat.v1.placeholder(tf.resource, [], name="plain")
        plain = tf.raw_ops.AssignAddVariableOp(resource=plain_handle, value=tf.constant(1.0))
        assign = tf.raw_ops.AssignSubVariableOp(resource=handle, value=tf.constant([[0.5]]))
    variable = object()  # stands for the distributed variable; only identity matters
    distributed = {handle.ref(): variable}
    kept, assigns = distributed_updates.split_update_ops([plain, assign], distributed, "m")
    assert kept == [plain] and assigns == [("assign_sub", variable, assign.inputs[1])]
    with pytest.raises(errors.UnsupportedGraphError, match="'scatter' is a ResourceScatterAdd"):
        distributed_updates.split_update_ops([update], distributed, "m")
