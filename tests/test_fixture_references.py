"""The committed references are what TF computes from the committed fixture files.

Each TF1 graph is imported from saved_model.pb into a tf.compat.v1 Session
with plain TF APIs (no hubcompat code), its checkpoint restored, and the
inference, gradient, train-mode and update-op numbers compared with
NAME.reference.npz. Our mlp_bn / text_embed graphs, given the genuine
modules' checkpoints, must compute what genuine tensorflow_hub computed; and
two references are recomputed by hand with numpy.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2  # noqa: E402

from conftest import FIXTURES, GENUINE, GENUINE_MISSING  # noqa: E402

CATALOG = {f["name"]: f for f in json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]}
HUB = sorted(n for n, f in CATALOG.items() if f["format"] == "tf1_hub")
ATOL = 1e-5


def _reference(name: str) -> dict[str, np.ndarray]:
    with np.load(FIXTURES / CATALOG[name]["reference"], allow_pickle=False) as ref:
        return {k: ref[k] for k in ref.files}


class ImportedGraph:
    """One MetaGraphDef of a hub module in a TF1 Session, weights restored."""

    def __init__(self, folder: Path, tags=(), checkpoint: Path | None = None,
                 asset_dir: Path | None = None):
        proto = saved_model_pb2.SavedModel()
        proto.ParseFromString((folder / "saved_model.pb").read_bytes())
        (meta_graph,) = [m for m in proto.meta_graphs if set(m.meta_info_def.tags) == set(tags)]
        self.meta_graph = meta_graph
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.compat.v1.train.import_meta_graph(meta_graph)
            self.session = tf.compat.v1.Session(graph=self.graph)
            self.feed = {}  # asset Consts hold "SAVEDMODEL-ASSET": feed the real paths
            for value in meta_graph.collection_def["saved_model_assets"].any_list.value:
                asset = meta_graph_pb2.AssetFileDef()
                value.Unpack(asset)
                tensor = self.graph.get_tensor_by_name(asset.tensor_info.name)
                self.feed[tensor] = str((asset_dir or folder / "assets") / asset.filename)
            self.session.run(tf.compat.v1.tables_initializer(), self.feed)
            saver = tf.compat.v1.train.Saver(tf.compat.v1.global_variables())
            saver.restore(self.session, str(checkpoint or folder / "variables" / "variables"))

    def tensor(self, info):
        get = self.graph.get_tensor_by_name
        if info.WhichOneof("encoding") == "coo_sparse":
            sparse = info.coo_sparse
            return tf.SparseTensor(get(sparse.indices_tensor_name), get(sparse.values_tensor_name),
                                   get(sparse.dense_shape_tensor_name))
        return get(info.name)

    def signature(self, name):
        sig = self.meta_graph.signature_def[name]
        return ({k: self.tensor(v) for k, v in sig.inputs.items()},
                {k: self.tensor(v) for k, v in sig.outputs.items()})

    def feed_for(self, ref, signature, prefix="input"):
        inputs, _ = self.signature(signature)
        feed = dict(self.feed)
        for key, tensor in inputs.items():
            base = f"{prefix}/{signature}/{key}"
            if isinstance(tensor, tf.SparseTensor):
                feed[tensor] = tf.compat.v1.SparseTensorValue(
                    ref[base + "/indices"], ref[base + "/values"], ref[base + "/dense_shape"])
            else:
                feed[tensor] = ref[base]
        return feed

    def run(self, fetches, feed):
        return self.session.run(fetches, feed)


def _compare(actual, ref, key):
    if isinstance(actual, tf.compat.v1.SparseTensorValue):
        for part in ("indices", "values", "dense_shape"):
            np.testing.assert_array_equal(getattr(actual, part), ref[f"{key}/{part}"], err_msg=key)
    elif np.asarray(actual).dtype.kind in "SOb":
        np.testing.assert_array_equal(actual, ref[key], err_msg=key)
    else:
        np.testing.assert_allclose(actual, ref[key], atol=ATOL, err_msg=key)


@contextlib.contextmanager
def _control_flow_v1(needed: bool):
    """Gradients of v1 TensorArrays (elmo_like's while loop) fail while control
    flow v2 is on: an assert in TF's _TensorArrayGatherGrad."""
    if needed:
        tf.compat.v1.disable_control_flow_v2()
    try:
        yield
    finally:
        if needed:
            tf.compat.v1.enable_control_flow_v2()


@pytest.mark.parametrize("name", HUB)
def test_inference_and_gradients_reproduce(name):
    fixture, ref = CATALOG[name], _reference(name)
    folder = FIXTURES / fixture["folder"]
    module = ImportedGraph(folder)
    checked = 0
    with module.graph.as_default():
        for sig in fixture["signatures"]:
            _, outputs = module.signature(sig)
            feed = module.feed_for(ref, sig)
            for key, tensor in outputs.items():
                ref_key = f"infer/{sig}/{key}"
                value = module.run(tensor, feed)
                if key == "vocab_file":  # an asset path: recorded relative to the module
                    path = np.asarray(value).item()
                    path = path.decode() if isinstance(path, bytes) else path
                    assert path == str(folder / ref[ref_key].item().decode())
                elif ref_key in ref or f"{ref_key}/values" in ref:
                    _compare(value, ref, ref_key)
                    checked += 1
            grads = {k.split("/", 2)[2]: v for k, v in ref.items() if k.startswith(f"grad/{sig}/")}
            if grads:
                variables = {v.op.name: v for v in tf.compat.v1.trainable_variables()}
                output = outputs[fixture["grad_outputs"][sig]]
                target = tf.reduce_sum(output * ref[f"grad_weights/{sig}"])
                with _control_flow_v1("while_context" in module.meta_graph.collection_def):
                    gradients = tf.gradients(target, [variables[n] for n in grads])
                values = module.run([tf.convert_to_tensor(g) for g in gradients], feed)
                for (var_name, expected), value in zip(grads.items(), values, strict=True):
                    np.testing.assert_allclose(value, expected, atol=ATOL, err_msg=var_name)
                    checked += 1
        losses = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
        total = module.run(tf.add_n(losses), {}) if losses else 0.0
        np.testing.assert_allclose(total, ref["regularization_loss"], atol=ATOL)
    assert checked


@pytest.mark.parametrize("name", [n for n in HUB if ["train"] in CATALOG[n]["tag_sets"]])
def test_train_graph_outputs_and_updates_reproduce(name):
    fixture, ref = CATALOG[name], _reference(name)
    module = ImportedGraph(FIXTURES / fixture["folder"], tags={"train"})
    with module.graph.as_default():
        feed = dict(module.feed)
        for sig in fixture["signatures"]:
            feed.update(module.feed_for(ref, sig))
        for key in (k for k in ref if k.startswith("train/")):
            _, sig, output = key.split("/")
            _compare(module.run(module.signature(sig)[1][output], feed), ref, key)
        update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        assert len(update_ops) == ref["update_ops_count"]
        module.run(update_ops, feed)
        variables = {v.op.name: v for v in tf.compat.v1.global_variables()}
        updated = [k for k in ref if k.startswith("update/")]
        assert bool(updated) == bool(update_ops)
        for key in updated:
            _compare(module.run(variables[key.split("/", 1)[1]], {}), ref, key)


def test_plain_tf1_saved_model_reproduces():
    fixture, ref = CATALOG["tf1_saved_model_plain"], _reference("tf1_saved_model_plain")
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session() as session:
        meta_graph = tf.compat.v1.saved_model.loader.load(
            session, ["serve"], str(FIXTURES / fixture["folder"]))
        sig = meta_graph.signature_def["serving_default"]
        get = graph.get_tensor_by_name
        feed = {get(v.name): ref[f"input/serving_default/{k}"] for k, v in sig.inputs.items()}
        for key, info in sig.outputs.items():
            _compare(session.run(get(info.name), feed), ref, f"infer/serving_default/{key}")


@pytest.mark.parametrize("name", sorted(n for n, f in CATALOG.items() if f["format"] == "tf2_saved_model"))
def test_tf2_saved_model_reproduces(name):
    fixture, ref = CATALOG[name], _reference(name)
    obj = tf.saved_model.load(str(FIXTURES / fixture["folder"]))
    for call, spec in fixture["calls"].items():
        kwargs = {k: ref[f"input/{call}/{k}"] for k in spec["inputs"]}
        training = {"training": False} if spec["training"] else {}
        with tf.GradientTape() as tape:
            output = getattr(obj, call)(**kwargs, **training)
            target = tf.reduce_sum(output * ref[f"grad_weights/{call}"])
        _compare(output.numpy(), ref, f"infer/{call}/default")
        grads = tape.gradient(target, obj.trainable_variables)
        for variable, grad in zip(obj.trainable_variables, grads, strict=True):
            _compare(tf.convert_to_tensor(grad).numpy(), ref, f"grad/{call}/{variable.name[:-2]}")
        if spec["training"]:
            _compare(getattr(obj, call)(**kwargs, training=True).numpy(), ref, f"train/{call}/default")
            for variable in obj.variables:
                if not variable.trainable:
                    _compare(variable.numpy(), ref, f"update/{variable.name[:-2]}")
    total = sum(float(loss()) for loss in obj.regularization_losses)
    np.testing.assert_allclose(total, ref["regularization_loss"], atol=ATOL)


def _genuine(name: str) -> Path:
    path = GENUINE / name
    if not (path / "saved_model.pb").exists():
        pytest.skip(GENUINE_MISSING)
    return path


@pytest.mark.parametrize("name", ["mlp_bn", "text_embed"])
def test_our_graph_with_genuine_weights_computes_what_hub_did(name):
    genuine = _genuine(name)
    with np.load(GENUINE.parent / "genuine_tf1" / f"{name}.reference.npz") as z:
        ref = {k: z[k] for k in z.files}
    checkpoint = genuine / "variables" / "variables"
    # Our graph, reading the genuine module's weights and vocabulary asset.
    module = ImportedGraph(FIXTURES / CATALOG[name]["folder"], checkpoint=checkpoint,
                           asset_dir=genuine / "assets")
    (value,) = [v for k, v in ref.items() if k.startswith("input/")]
    checked = 0
    for key in (k for k in ref if k.startswith("infer/")):
        _, sig, output = key.split("/")
        inputs, outputs = module.signature(sig)
        feed = {**module.feed, **{t: value for t in inputs.values()}}
        np.testing.assert_allclose(module.run(outputs[output], feed), ref[key], atol=ATOL, err_msg=key)
        checked += 1
    assert checked


def _checkpoint(name: str) -> dict[str, np.ndarray]:
    reader = tf.train.load_checkpoint(str(FIXTURES / CATALOG[name]["folder"] / "variables" / "variables"))
    return {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()}


def test_mlp_bn_references_match_numpy():
    ref, w = _reference("mlp_bn"), _checkpoint("mlp_bn")
    x = ref["input/default/x"].astype(np.float64)
    hidden = np.maximum(x @ w["fc1/weights"] + w["fc1/biases"], 0.0)
    scale = w["bn/gamma"] / np.sqrt(w["bn/moving_variance"] + 1e-3)
    normalized = (hidden - w["bn/moving_mean"]) * scale + w["bn/beta"]
    logits = normalized @ w["logits/weights"] + w["logits/biases"]
    np.testing.assert_allclose(ref["infer/default/normalized"], normalized, atol=ATOL)
    np.testing.assert_allclose(ref["infer/default/default"], logits, atol=ATOL)
    np.testing.assert_allclose(ref["infer/double/default"], 2 * ref["input/double/default"], atol=ATOL)
    batch_mean, batch_var = hidden.mean(0), hidden.var(0)
    train = (hidden - batch_mean) * w["bn/gamma"] / np.sqrt(batch_var + 1e-3) + w["bn/beta"]
    np.testing.assert_allclose(ref["train/default/normalized"], train, atol=ATOL)
    np.testing.assert_allclose(ref["update/bn/moving_mean"],
                               w["bn/moving_mean"] - 0.1 * (w["bn/moving_mean"] - batch_mean), atol=ATOL)
    np.testing.assert_allclose(ref["update/bn/moving_variance"],
                               w["bn/moving_variance"] - 0.1 * (w["bn/moving_variance"] - batch_var),
                               atol=ATOL)
    np.testing.assert_allclose(ref["regularization_loss"], 0.01 * (w["fc1/weights"] ** 2).sum() / 2,
                               rtol=1e-5)


def test_ref_vars_updates_match_numpy():
    ref, w = _reference("ref_vars"), _checkpoint("ref_vars")
    x = ref["input/default/default"]
    np.testing.assert_allclose(
        ref["infer/default/default"], (x - w["running_mean"]) @ w["linear/w"] + w["linear/b"], atol=ATOL)
    np.testing.assert_allclose(
        ref["update/running_mean"], 0.9 * w["running_mean"] + 0.1 * x.mean(0), atol=ATOL)
    assert ref["update/steps"] == w["steps"] + 1
