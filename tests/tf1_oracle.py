"""The TF1 oracle: runs a module's own graph in a ``tf.compat.v1.Session``.

Tests compare hubcompat's numbers with these, never with numbers hubcompat
produced before. The graph is loaded by TensorFlow's own TF1 SavedModel loader
(``tf.compat.v1.saved_model.load`` into a Session), which restores the
checkpoint and runs the table initializers as TF1 did; hubcompat is not used.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import meta_graph_pb2


def _feed_dict(graph, signature_def, inputs):
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
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        meta_graph = tf.compat.v1.saved_model.load(session, list(tags), str(path))
        # tensorflow_hub ran the table initializers itself, feeding the asset
        # paths (the graph's asset Consts hold a placeholder string).
        session.run(tf.compat.v1.tables_initializer(), _asset_feeds(graph, meta_graph, path))
        signature_def = meta_graph.signature_def[signature]
        outputs = {k: graph.get_tensor_by_name(v.name) for k, v in signature_def.outputs.items()
                   if v.WhichOneof("encoding") == "name"}
        fetches = {"outputs": outputs}
        trainable = tf.compat.v1.trainable_variables()
        if grad_output is not None:
            loss = tf.reduce_sum(outputs[grad_output] * tf.constant(grad_weights))
            grads = tf.gradients(loss, trainable)
            fetches["grads"] = {v.op.name: g for v, g in zip(trainable, grads) if g is not None}
        if run_update_ops:
            fetches["updates"] = tf.compat.v1.get_collection("update_ops")
        fetches["regularization_losses"] = tf.compat.v1.get_collection("regularization_losses")
        result = session.run(fetches, _feed_dict(graph, signature_def, inputs))
        result["grads"] = {k: _dense(v) for k, v in result.get("grads", {}).items()}
        result["variables_after"] = {
            v.op.name: value for v, value in zip(
                tf.compat.v1.global_variables(),
                session.run(tf.compat.v1.global_variables()),
            )
        }
    return result


def _asset_feeds(graph, meta_graph, path):
    asset_defs = list(meta_graph.asset_file_def)
    if "saved_model_assets" in meta_graph.collection_def:
        for packed in meta_graph.collection_def["saved_model_assets"].any_list.value:
            asset_def = meta_graph_pb2.AssetFileDef()
            packed.Unpack(asset_def)
            asset_defs.append(asset_def)
    return {
        graph.get_tensor_by_name(a.tensor_info.name): os.path.join(str(path), "assets", a.filename)
        for a in asset_defs
    }


def _dense(value):
    if hasattr(value, "indices") and hasattr(value, "dense_shape"):  # IndexedSlicesValue
        dense = np.zeros(value.dense_shape, dtype=value.values.dtype)
        np.add.at(dense, value.indices, value.values)
        return dense
    return value
