"""Every TF1 fixture kind through KerasLayer under MirroredStrategy (two logical CPUs).

All kinds run in one child process (distributed_util), against the fixture's
TF1 Session references (docs/fixtures.md), with the reference inputs given to
every replica:

- inference: both replicas compute TF1's outputs, each on its own variable copies;
- a gradient step (SGD, learning rate 1, inference graph): every copy moves by
  TF1's gradient (the replicas' gradients are summed, each loss scaled by
  1 / replicas, as tf.distribute custom loops do);
- a fine-tuning step in training mode: copies stay equal, and batch-norm (and
  ref_vars') update ops leave TF1's update for that batch (the mean of equal
  replica updates). Different batches per replica: test_distributed_batch_norm.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from .distributed_util import run_child
from tests.support.paths import FIXTURES
from tests.support.references import CATALOG

pytestmark = pytest.mark.heavy  # one child process with two replicas

# fixture -> the signature hub.KerasLayer users call (its catalog grad_output is the output).
KINDS = {
    "mlp_bn": "default",  # dense + batch norm (+ dropout in train)
    "image_bn": "default",  # conv + batch norm, no dropout
    "image_classifier": "default",
    "text_embed": "default",  # strings, vocabulary table, partitioned embedding
    "bert_like": "tokens",  # a dict of int32 inputs, dropout in train
    "sparse_input": "default",  # a SparseTensor input
    "ref_vars": "default",  # reference variables, Assign / int64 AssignAdd update ops
    "elmo_like": "default",  # a TF1 (v1) while loop
    "multi_input": "default",  # inputs of several ranks and dtypes, a scalar among them
}

CHILD = """
import traceback
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
REPLICAS = strategy.num_replicas_in_sync

def signature_inputs(ref, signature):
    prefix = f"input/{signature}/"
    names = sorted({k[len(prefix):].split("/")[0] for k in ref if k.startswith(prefix)})
    inputs = {}
    for name in names:
        if f"{prefix}{name}" in ref:
            inputs[name] = tf.constant(ref[f"{prefix}{name}"])
        else:  # a SparseTensor, stored as its parts
            inputs[name] = tf.SparseTensor(*(ref[f"{prefix}{name}/{part}"]
                                             for part in ("indices", "values", "dense_shape")))
    return inputs[names[0]] if len(names) == 1 else inputs

def minimize(layer, optimizer, loss_fn):
    with tf.GradientTape() as tape:
        loss = loss_fn()
    weights = layer.trainable_weights
    grads = tape.gradient(loss, weights)
    optimizer.apply_gradients([(g, w) for g, w in zip(grads, weights) if g is not None])

def run_kind(path, signature, key):
    ref = dict(np.load(path + ".reference.npz"))
    x = signature_inputs(ref, signature)
    with strategy.scope():
        frozen = hubcompat.KerasLayer(path, signature=signature, output_key=key)
        graded = hubcompat.KerasLayer(path, signature=signature, output_key=key, trainable=True)
        tuned = hubcompat.KerasLayer(path, signature=signature, output_key=key, trainable=True)
        sgd1 = keras.optimizers.SGD(1.0)
        sgd = keras.optimizers.SGD(0.1)

    @tf.function
    def infer():
        return strategy.run(lambda: frozen(x))

    weights = tf.constant(ref[f"grad_weights/{signature}"])

    @tf.function
    def gradient_step():
        strategy.run(lambda: minimize(
            graded, sgd1, lambda: tf.reduce_sum(graded(x, training=False) * weights) / REPLICAS))

    @tf.function
    def train_step():
        strategy.run(lambda: minimize(
            tuned, sgd, lambda: tf.reduce_mean(tf.square(tuned(x, training=True)))))

    outputs = [o.numpy().tolist() for o in strategy.experimental_local_results(infer())]
    graded_vars, tuned_vars = module_variables(graded), module_variables(tuned)
    before = {name: np.asarray(v.numpy()) for name, v in tuned_vars.items()}
    gradient_step()
    train_step()
    # Each replica reads its own copies: give replica 1's copies other values
    # (scaled by 2) and run inference again.
    for v in frozen.resolved_object.variables:
        if v.dtype.is_floating:
            v.values[1].assign(v.values[0] * 2.0)
    outputs_after = [o.numpy().tolist() for o in strategy.experimental_local_results(infer())]
    return dict(outputs=outputs, outputs_scaled=outputs_after,
                kinds=sorted({type(v).__name__ for v in tuned_vars.values()}),
                trainable=[v.name.split(":")[0] for v in tuned.resolved_object.trainable_variables],
                before={n: v.tolist() for n, v in before.items()},
                graded={n: copies(v) for n, v in graded_vars.items()},
                tuned={n: copies(v) for n, v in tuned_vars.items()})

results = {}
for kind, (path, signature, key) in json.loads(sys.argv[1]).items():
    try:
        results[kind] = run_kind(path, signature, key)
    except Exception:
        results[kind] = {"error": traceback.format_exc()[-3000:]}
emit(**results)
"""


@pytest.fixture(scope="module")
def kind_results(tmp_path_factory):
    """All kinds in one child process (one TensorFlow start-up), each reported apart."""
    kinds = {kind: (str(FIXTURES / kind), signature, CATALOG[kind]["grad_outputs"][signature])
             for kind, signature in KINDS.items()}
    return run_child(tmp_path_factory.mktemp("kinds"), CHILD, json.dumps(kinds))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_inference_and_fine_tuning_under_mirrored_strategy(kind_results, fixture_module, kind):
    _, ref = fixture_module(kind)
    signature = KINDS[kind]
    key = CATALOG[kind]["grad_outputs"][signature]
    result = kind_results[kind]
    assert "error" not in result, result.get("error")
    assert result["kinds"] == ["MirroredVariable"]
    # Inference: every replica computes what TF1 computed...
    assert len(result["outputs"]) == 2
    for out in result["outputs"]:
        np.testing.assert_allclose(out, ref[f"infer/{signature}/{key}"], rtol=1e-5, atol=1e-5)
    # ... from its own copies: replica 0 is unchanged, replica 1 (copies doubled) differs.
    np.testing.assert_allclose(result["outputs_scaled"][0], result["outputs"][0], atol=1e-6)
    assert not np.allclose(result["outputs_scaled"][1], result["outputs"][1], atol=1e-3)

    # A gradient step: each copy moved by TF1's gradient.
    prefix = f"grad/{signature}/"
    grads = {k[len(prefix):]: v for k, v in ref.items() if k.startswith(prefix)}
    assert grads
    for name, grad in grads.items():
        for copy in result["graded"][name]:
            np.testing.assert_allclose(copy, result["before"][name] - grad, atol=1e-5,
                                       err_msg=name)

    # A fine-tuning step in training mode: the copies agree, trainable variables moved...
    for name, values in result["tuned"].items():
        np.testing.assert_array_equal(values[0], values[1], err_msg=name)
    assert any(not np.allclose(result["tuned"][n][0], result["before"][n])
               for n in result["trainable"])
    # ... and update ops left TF1's update for the batch (each replica had it).
    updates = {k[len("update/"):]: v for k, v in ref.items() if k.startswith("update/")}
    for name, expected in updates.items():
        np.testing.assert_allclose(result["tuned"][name][0], expected, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
