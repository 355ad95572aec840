"""TF1 batch-norm moving statistics under MirroredStrategy, each replica on its own batch.

The TF1 oracle (tests/support/tf1_session.py) runs the module's train graph with its
update ops in a tf.compat.v1 Session, once per replica's batch; the module's
moving statistics after one distributed training call must be the mean of
those updates on every copy, which is what tf-keras' BatchNormalization
reads under a strategy (its own test below) and what docs/distributed.md says.
"""

from __future__ import annotations

import numpy as np
import pytest

from .distributed_util import run_child
from tests.support import tf1_session
from tests.support.paths import FIXTURES

pytestmark = pytest.mark.heavy

STATISTICS = ("bn/moving_mean", "bn/moving_variance")

CHILD = """
path, data_path = sys.argv[1:3]
batches = np.load(data_path)["batches"]  # [replicas, batch, ...]
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    layer = hubcompat.KerasLayer(path, trainable=True)
x = strategy.experimental_distribute_values_from_function(
    lambda ctx: tf.constant(batches[ctx.replica_id_in_sync_group]))

@tf.function
def forward(x):
    return strategy.run(lambda x: layer(x, training=True), args=(x,))

forward(x)
variables = module_variables(layer)
emit(**{name: copies(variables[name]) for name in ("bn/moving_mean", "bn/moving_variance")})
"""


@pytest.mark.parametrize("fixture, input_name", [("image_bn", "images"), ("mlp_bn", "x")])
def test_moving_statistics_are_the_mean_of_the_replicas_updates(tmp_path, fixture, input_name):
    path = FIXTURES / fixture
    ref = np.load(FIXTURES / f"{fixture}.reference.npz")
    sample = ref[f"input/default/{input_name}"]
    rng = np.random.RandomState(1)
    # Two batches of different statistics, so per-replica updates differ.
    batches = np.stack([rng.uniform(size=(4, *sample.shape[1:])),
                        3.0 + 2.0 * rng.uniform(size=(4, *sample.shape[1:]))]).astype("float32")
    np.savez(tmp_path / "data.npz", batches=batches)
    result = run_child(tmp_path, CHILD, path, tmp_path / "data.npz")
    per_replica = [
        tf1_session.run(path, tags=("train",), inputs={input_name: batch},
                       run_update_ops=True)["variables_after"]
        for batch in batches
    ]
    for name in STATISTICS:
        expected = np.mean([after[name] for after in per_replica], axis=0)
        assert not np.allclose(per_replica[0][name], per_replica[1][name])
        for copy in result[name]:
            np.testing.assert_allclose(copy, expected, rtol=1e-5, atol=1e-6, err_msg=name)


def test_tf_keras_batch_normalization_reads_the_same_mean(tmp_path, legacy_keras):
    # What "the way Keras does it" means: tf-keras' BatchNormalization keeps
    # ON_READ / MEAN moving statistics; reading them gives the mean of the
    # replicas' moving averages, the value hubcompat writes to every copy.
    if not legacy_keras:
        pytest.skip("Keras 3's BatchNormalization keeps per-replica copies and reads "
                    "replica 0's (docs/distributed.md)")
    result = run_child(tmp_path, """
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    bn = keras.layers.BatchNormalization(momentum=0.9)
    bn.build((None, 2))
batches = np.array([[[0., 1.], [2., 3.]], [[10., 20.], [30., 50.]]], "float32")
x = strategy.experimental_distribute_values_from_function(
    lambda ctx: tf.constant(batches[ctx.replica_id_in_sync_group]))
tf.function(lambda x: strategy.run(lambda x: bn(x, training=True), args=(x,)))(x)
emit(kind=type(bn.moving_mean).__name__, mean=bn.moving_mean.numpy().tolist(),
     variance=bn.moving_variance.numpy().tolist())
""")
    batches = np.array([[[0., 1.], [2., 3.]], [[10., 20.], [30., 50.]]])
    assert result["kind"] == "SyncOnReadVariable"
    np.testing.assert_allclose(result["mean"], 0.1 * batches.mean(axis=1).mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(result["variance"], 0.9 + 0.1 * batches.var(axis=1).mean(axis=0),
                               rtol=1e-5)
