"""KerasLayer(TF1 module) under ParameterServerStrategy: chief, parameter server, worker.

Three processes on 127.0.0.1 (distributed_util.run_cluster): the parameter
server and the worker run a ``tf.distribute.Server`` until they are killed;
the chief builds the layer under ``strategy.scope()`` (its variables live on
the parameter server) and schedules inference and training steps on the
worker with a ``ClusterCoordinator``, the custom-loop way (docs/distributed.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from .distributed_util import run_cluster

TASKS = {"chief": 1, "ps": 1, "worker": 1}

PROGRAM = """
resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
if resolver.task_type in ("ps", "worker"):
    server = tf.distribute.Server(resolver.cluster_spec(), job_name=resolver.task_type,
                                  task_index=resolver.task_id, protocol="grpc", start=True)
    server.join()  # until the test kills it

path, ref_path, text_path = sys.argv[1:4]
ref = dict(np.load(ref_path))
text_ref = dict(np.load(text_path + ".reference.npz"))
strategy = tf.distribute.ParameterServerStrategy(resolver)
coordinator = tf.distribute.coordinator.ClusterCoordinator(strategy)
x = ref["input/default/x"]
with strategy.scope():
    frozen = hubcompat.KerasLayer(path, output_key="normalized")
    text = hubcompat.KerasLayer(text_path)  # a vocabulary table and a partitioned embedding
    tuned = hubcompat.KerasLayer(path, trainable=True, output_key="normalized")
    optimizer = keras.optimizers.SGD(0.1)

@tf.function
def infer():
    return frozen(tf.constant(x))

@tf.function
def train_step():
    def replica_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tuned(tf.constant(x), training=True)))
            loss += tf.add_n(tuned.losses)
        grads = tape.gradient(loss, tuned.trainable_weights)
        optimizer.apply_gradients(zip(grads, tuned.trainable_weights))
        return loss
    return strategy.run(replica_step)

inferred = coordinator.schedule(infer)
embedded = coordinator.schedule(tf.function(
    lambda: text(tf.constant(text_ref["input/default/default"]))))
coordinator.join()
variables = module_variables(tuned)
before = {name: v.numpy() for name, v in variables.items()}
losses = [coordinator.schedule(train_step)]
coordinator.join()
first = {n: variables[n].numpy().tolist() for n in ("bn/moving_mean", "bn/moving_variance")}
losses += [coordinator.schedule(train_step) for _ in range(2)]
coordinator.join()
emit(inferred=inferred.fetch().tolist(), embedded=embedded.fetch().tolist(),
     devices=sorted({v.device for v in variables.values()}),
     losses=[float(l.fetch()) for l in losses],
     changed={n: bool(not np.allclose(before[n], v.numpy())) for n, v in variables.items()},
     first_update=first)
"""


@pytest.mark.heavy
def test_inference_and_fine_tuning_on_a_parameter_server(tmp_path, fixture_module):
    path, ref = fixture_module("mlp_bn")
    text_path, text_ref = fixture_module("text_embed")
    results = run_cluster(tmp_path, PROGRAM, TASKS, path, f"{path}.reference.npz", text_path,
                          wait_for=[("chief", 0)])
    chief = results[("chief", 0)]
    np.testing.assert_allclose(chief["inferred"], ref["infer/default/normalized"],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(chief["embedded"], text_ref["infer/default/default"],
                               rtol=1e-5, atol=1e-5)
    assert chief["devices"] == ["/job:ps/replica:0/task:0/device:CPU:0"]
    # Every variable on the path to "normalized" was trained (the logits are not on it).
    assert {n for n, changed in chief["changed"].items() if changed} == {
        "fc1/weights", "fc1/biases", "bn/gamma", "bn/beta", "bn/moving_mean",
        "bn/moving_variance"}
    assert chief["losses"][2] < chief["losses"][0]
    # The first step's update ops, on the reference batch, wrote TF1's update.
    for name, value in chief["first_update"].items():
        np.testing.assert_allclose(value, ref[f"update/{name}"], rtol=1e-5, atol=1e-6)
