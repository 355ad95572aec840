"""The TF1 oracle: a module's own graph run in a ``tf.compat.v1.Session``, no hubcompat code.

Tests compare hubcompat's numbers with these, never with numbers hubcompat
produced before. ``TF1Session`` loads one MetaGraphDef with TensorFlow's own
TF1 SavedModel loader (``tf.compat.v1.saved_model.load`` into a Session, which
restores the checkpoint), or imports it and restores another checkpoint (a
genuine module's weights in our graph); it runs the table initializers as
tensorflow_hub did, feeding the asset paths. ``run`` is the one-call form:
outputs, gradients, variables after, regularization losses.
(Not to be confused with ``hubcompat.tf1.imported_graph.ImportedGraph``, the
code under test.)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2


class TF1Session:
    """One MetaGraphDef of a module (the one with exactly ``tags``) in a TF1 Session.

    With ``checkpoint`` (and ``asset_dir``) the graph is imported from
    saved_model.pb and that checkpoint (those assets) used instead of the module's own.
    """

    def __init__(self, folder, tags=(), checkpoint: Path | None = None,
                 asset_dir: Path | None = None):
        folder = Path(folder)
        self.graph = tf.Graph()
        self.session = tf.compat.v1.Session(graph=self.graph)
        with self.graph.as_default():
            if checkpoint is None:
                self.meta_graph = tf.compat.v1.saved_model.load(self.session, list(tags), str(folder))
            else:
                proto = saved_model_pb2.SavedModel()
                proto.ParseFromString((folder / "saved_model.pb").read_bytes())
                (self.meta_graph,) = [m for m in proto.meta_graphs
                                      if set(m.meta_info_def.tags) == set(tags)]
                tf.compat.v1.train.import_meta_graph(self.meta_graph)
                saver = tf.compat.v1.train.Saver(tf.compat.v1.global_variables())
                saver.restore(self.session, str(checkpoint))
            # The asset Consts hold a placeholder string ("SAVEDMODEL-ASSET"):
            # tensorflow_hub fed the real paths to the table initializers.
            self.feed = _asset_feeds(self.graph, self.meta_graph, asset_dir or folder / "assets")
            self.session.run(tf.compat.v1.tables_initializer(), self.feed)

    def tensor(self, info):
        """The tensor (or SparseTensor) a signature's TensorInfo names."""
        get = self.graph.get_tensor_by_name
        if info.WhichOneof("encoding") == "coo_sparse":
            sparse = info.coo_sparse
            return tf.SparseTensor(get(sparse.indices_tensor_name), get(sparse.values_tensor_name),
                                   get(sparse.dense_shape_tensor_name))
        return get(info.name)

    def signature(self, name):
        """``(inputs, outputs)``: the signature's tensors by key."""
        sig = self.meta_graph.signature_def[name]
        return ({k: self.tensor(v) for k, v in sig.inputs.items()},
                {k: self.tensor(v) for k, v in sig.outputs.items()})

    def feed_for(self, ref, signature, prefix="input"):
        """The asset feeds plus the signature's inputs from ``ref[prefix/signature/key]``."""
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

    def close(self) -> None:
        self.session.close()


def run(path, tags=(), signature="default", inputs=None, grad_output=None, grad_weights=None,
        run_update_ops=False):
    """Runs ``signature`` of the module at ``path`` in a TF1 Session.

    Returns ``{"outputs": {name: array}, "grads": {var_name: array},
    "variables_after": {var_name: array}, "regularization_losses": [float]}``.
    Gradients are of ``sum(outputs[grad_output] * grad_weights)`` with respect
    to every trainable variable. With ``run_update_ops`` the graph's
    ``update_ops`` collection runs together with the outputs.
    """
    inputs = inputs or {}
    module = TF1Session(path, tags)
    with module.graph.as_default(), module.session:
        signature_def = module.meta_graph.signature_def[signature]
        outputs = {k: module.graph.get_tensor_by_name(v.name)
                   for k, v in signature_def.outputs.items() if v.WhichOneof("encoding") == "name"}
        fetches = {"outputs": outputs}
        trainable = tf.compat.v1.trainable_variables()
        if grad_output is not None:
            loss = tf.reduce_sum(outputs[grad_output] * tf.constant(grad_weights))
            grads = tf.gradients(loss, trainable)
            fetches["grads"] = {v.op.name: g for v, g in zip(trainable, grads) if g is not None}
        if run_update_ops:
            fetches["updates"] = tf.compat.v1.get_collection("update_ops")
        fetches["regularization_losses"] = tf.compat.v1.get_collection("regularization_losses")
        result = module.run(fetches, _input_feeds(module.graph, signature_def, inputs))
        result["grads"] = {k: _dense(v) for k, v in result.get("grads", {}).items()}
        global_variables = tf.compat.v1.global_variables()
        result["variables_after"] = dict(zip([v.op.name for v in global_variables],
                                             module.run(global_variables, {}), strict=True))
    return result


def _input_feeds(graph, signature_def, inputs):
    feeds = {}
    for key, info in signature_def.inputs.items():
        value = inputs[key]
        if info.WhichOneof("encoding") == "coo_sparse":
            coo = info.coo_sparse
            feeds[graph.get_tensor_by_name(coo.indices_tensor_name)] = value.indices
            feeds[graph.get_tensor_by_name(coo.values_tensor_name)] = value.values
            feeds[graph.get_tensor_by_name(coo.dense_shape_tensor_name)] = value.dense_shape
        else:
            feeds[graph.get_tensor_by_name(info.name)] = value
    return feeds


def _asset_feeds(graph, meta_graph, asset_dir):
    asset_defs = list(meta_graph.asset_file_def)
    if "saved_model_assets" in meta_graph.collection_def:
        for packed in meta_graph.collection_def["saved_model_assets"].any_list.value:
            asset_def = meta_graph_pb2.AssetFileDef()
            packed.Unpack(asset_def)
            asset_defs.append(asset_def)
    return {graph.get_tensor_by_name(a.tensor_info.name): os.path.join(str(asset_dir), a.filename)
            for a in asset_defs}


def _dense(value):
    if hasattr(value, "indices") and hasattr(value, "dense_shape"):  # IndexedSlicesValue
        dense = np.zeros(value.dense_shape, dtype=value.values.dtype)
        np.add.at(dense, value.indices, value.values)
        return dense
    return value
