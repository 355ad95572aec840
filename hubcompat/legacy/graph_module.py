"""A module instantiated in a TF1 graph, as ``hub.Module`` did it.

- State graph: the module's graph is imported once under the module's scope
  (``module/``) with the collections of variables, tables and assets; the
  variables are Python ``tf.Variable`` objects in ``GLOBAL_VARIABLES`` (and
  ``TRAINABLE_VARIABLES`` / ``REGULARIZATION_LOSSES`` when trainable) whose
  initializers restore the module's checkpoint.
- Apply graph: each call imports the graph again under ``module_apply_<sig>``
  with its state ops replaced by placeholders fed from the state graph and
  its signature inputs fed from the caller, so every call shares the state.
"""

from __future__ import annotations

import contextlib
import re

import tensorflow as tf
from tensorflow.core.framework import types_pb2
from tensorflow.core.protobuf import meta_graph_pb2

from hubcompat import errors
from hubcompat._tf_private import building_tpu_function, capture, registered_op_def
from hubcompat.legacy import tensor_info, writer
from hubcompat.tf1 import hub_format
from hubcompat.tf1.module_reader import import_error, read_checkpoint_index

_STATE_COLLECTIONS = (
    hub_format.VARIABLES_COLLECTION, hub_format.MODEL_VARIABLES_COLLECTION,
    hub_format.TABLE_INITIALIZERS_COLLECTION, hub_format.ASSET_FILEPATHS_COLLECTION,
    hub_format.COND_CONTEXT_COLLECTION, hub_format.WHILE_CONTEXT_COLLECTION)
_TRAINABLE_STATE_COLLECTIONS = (hub_format.TRAINABLE_VARIABLES_COLLECTION,
                                hub_format.REGULARIZATION_LOSSES_COLLECTION)
_APPLY_COLLECTIONS = (hub_format.ASSET_FILEPATHS_COLLECTION, hub_format.COND_CONTEXT_COLLECTION,
                      hub_format.WHILE_CONTEXT_COLLECTION)


def state_op_types(graph_def) -> set[str]:
    """The op types of ``graph_def`` that hold state, by hub.Module's rule
    (:func:`hubcompat.tf1.hub_format.is_state_op`: variables, tables, ...)."""
    return {op for op in {node.op for node in graph_def.node}
            if hub_format.is_state_op(registered_op_def(op))}


def _copy(meta_graph):
    result = meta_graph_pb2.MetaGraphDef()
    result.CopyFrom(meta_graph)
    return result


def _keep_collections(meta_graph, names) -> None:
    for name in list(meta_graph.collection_def):
        if name not in names:
            del meta_graph.collection_def[name]


def _prefix_shared_names(meta_graph, scope: str) -> None:
    # Two instances of one module must not share tables or variables by name.
    for node in meta_graph.graph_def.node:
        value = node.attr.get("shared_name")
        if value is not None and value.HasField("s") and value.s:
            node.attr["shared_name"].s = f"{scope}/{value.s.decode()}".encode()


def _scoped(name: str, scope: str) -> str:
    return re.sub(r"^(\^?)", r"\1" + scope + "/", name, count=1)


class GraphModule:
    """The state of one ``hub.Module`` in the default graph, and its apply graphs
    (a :class:`~hubcompat.legacy.module_impl.ModuleImpl`)."""

    def __init__(self, spec, tags: frozenset[str], trainable: bool, name: str):
        self._spec = spec
        self._meta_graph = spec.meta_graph(tags)
        self._trainable = trainable
        self._state_types = state_op_types(self._meta_graph.graph_def)
        self._graph = tf.compat.v1.get_default_graph()
        state_scope = _unused_state_scope(name)
        self.name = state_scope.split("/")[-2]
        parent = "/".join(state_scope.split("/")[:-2])
        # Under a TPU replicate context the state goes to the outer graph (its
        # variables initialised there, captured by each apply), as in tensorflow_hub;
        # elsewhere into the current graph, free of the caller's control dependencies.
        self._outer_state = building_tpu_function()
        with (tf.init_scope() if self._outer_state else contextlib.nullcontext()), \
                tf.name_scope(parent + "/" if parent else ""), tf.control_dependencies(None):
            self._create_state(self.name)

    def _create_state(self, name: str) -> None:
        graph = tf.compat.v1.get_default_graph()
        scope = graph.unique_name(name, mark_as_used=False)
        meta_graph = _copy(self._meta_graph)
        collections = _STATE_COLLECTIONS + (_TRAINABLE_STATE_COLLECTIONS if self._trainable else ())
        _keep_collections(meta_graph, collections)
        _prefix_shared_names(meta_graph, scope)
        _import_state(meta_graph, scope, self._spec)
        by_node = {
            var.op.name[len(scope) + 1:]: var
            for var in tf.compat.v1.global_variables() if var.op.name.startswith(scope + "/")
        }
        self.variable_map = _variable_map(by_node)
        if self.variable_map and self._spec.checkpoint_prefix:
            # What can be checked without reading the values (the index, the
            # data files' sizes) fails here; a crc32c mismatch inside a
            # tensor's bytes surfaces when the Session runs the initializers,
            # as tf.errors.DataLossError, as with tensorflow_hub.
            read_checkpoint_index(self._spec.checkpoint_prefix)
            tf.compat.v1.train.init_from_checkpoint(self._spec.checkpoint_prefix,
                                                    self.variable_map)
        self._saver = (tf.compat.v1.train.Saver(self.variable_map, sharded=True,
                                                write_version=tf.compat.v1.train.SaverDef.V2)
                       if self.variable_map else None)
        self._state_map = {}
        for node in meta_graph.graph_def.node:
            if node.op in self._state_types:
                tensor = graph.get_tensor_by_name(f"{scope}/{node.name}:0")
                if len(tensor.op.outputs) != 1:
                    raise errors.UnsupportedGraphError(
                        f"Stateful op {node.op} has {len(tensor.op.outputs)} outputs, expected 1")
                self._state_map[node.name + ":0"] = tensor

    @property
    def trainable_variables(self) -> list:
        trainable = tf.compat.v1.trainable_variables()
        return [v for v in _flatten(self.variable_map) if v in trainable]

    @property
    def regularization_losses(self) -> list:
        return tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES,
                                           scope=self.name + "/")

    def check_graph(self) -> None:
        if self._graph is not tf.compat.v1.get_default_graph():
            raise errors.GraphMismatchError(
                "Module must be applied in the graph it was instantiated for.")

    def convert_inputs(self, given: dict, infos: dict) -> dict:
        return tensor_info.convert_inputs(given, infos)

    def apply(self, signature: str, inputs: dict) -> dict:
        """Imports the graph once more, fed from ``inputs`` and the state; returns the outputs."""
        name = f"{self.name}_apply_{signature.replace(':', '_')}"
        signature_def = self._meta_graph.signature_def[signature]
        graph = tf.compat.v1.get_default_graph()
        feed_map = dict(self._state_map)
        if self._outer_state and graph.building_function:
            feed_map = {k: capture(graph, v) for k, v in feed_map.items()}
        elif graph.building_function:
            tf.compat.v1.logging.warning(
                "Using a TF1 Hub module in graph %s: its ops run only if pruned.", graph.name)
        meta_graph = _copy(self._meta_graph)
        tpu = self._outer_state and graph.building_function
        if tpu:
            # A TPU function runs every op it holds: keep only what the outputs need
            # (their control dependencies too), as tensorflow_hub did.
            kept = _prune_to_outputs(meta_graph, signature_def)
            feed_map = {k: v for k, v in feed_map.items() if _node_name(k) in kept}
        for node in meta_graph.graph_def.node:
            if node.op in self._state_types and node.name + ":0" in feed_map:
                for key in [k for k in node.attr if k != "shape"]:
                    del node.attr[key]
                node.op = "Placeholder"
                node.attr["dtype"].type = types_pb2.DT_RESOURCE
        infeed = tensor_info.build_input_map(signature_def.inputs, inputs)
        if tpu:
            infeed = {k: v for k, v in infeed.items() if _node_name(k) in kept}
        feed_map.update(infeed)
        control_flow = graph._get_control_flow_context()  # private TF/hub API (as hub.Module did)
        if control_flow:
            feed_map = {k: control_flow.AddValue(v) for k, v in sorted(feed_map.items())}
        scope = graph.unique_name(name, mark_as_used=False)
        collections = _APPLY_COLLECTIONS + (
            (hub_format.UPDATE_OPS_COLLECTION,) if self._trainable else ())
        _keep_collections(meta_graph, collections)
        if tpu and meta_graph.collection_def:
            raise errors.UnsupportedGraphError(  # tensorflow_hub's words
                "Applying modules with collections inside TPU functions is not supported. "
                f"Collections found: {sorted(meta_graph.collection_def)}")
        _prefix_shared_names(meta_graph, scope)
        # Not _import_state: a ValueError here may come from the caller's inputs.
        tf.compat.v1.train.import_meta_graph(meta_graph, input_map=feed_map,
                                             import_scope=scope.split("/")[-1])
        _fix_colocation(graph, feed_map, scope)

        def get_tensor(tensor_name):
            if tensor_name in feed_map:
                return feed_map[tensor_name]
            return graph.get_tensor_by_name(_scoped(tensor_name, scope))

        return tensor_info.build_output_map(signature_def.outputs, get_tensor)

    def export(self, path: str, session) -> None:
        if self._graph is not tf.compat.v1.get_default_graph():
            raise errors.GraphMismatchError(
                "default graph differs from the graph where the module was instantiated.")
        if self._graph is not session.graph:
            raise errors.GraphMismatchError(
                "session graph differs from the graph where the module was instantiated.")

        def save_variables(variables_prefix):
            if self._saver:
                self._saver.save(session, variables_prefix, write_meta_graph=False,
                                 write_state=False)

        writer.write_module(path, self._spec.meta_graphs, save_variables)


def _node_name(tensor_name: str) -> str:
    return tensor_name.lstrip("^").split(":")[0]


def _prune_to_outputs(meta_graph, signature_def) -> set[str]:
    """Drops the nodes the signature's outputs do not depend on (through data or control
    inputs), keeping variable handles; returns the names kept."""
    nodes = {node.name: node for node in meta_graph.graph_def.node}
    pending = []
    for info in signature_def.outputs.values():
        encoding = info.WhichOneof("encoding")
        if encoding == "name":
            pending.append(info.name)
        elif encoding == "coo_sparse":
            sparse = info.coo_sparse
            pending += [sparse.indices_tensor_name, sparse.values_tensor_name,
                        sparse.dense_shape_tensor_name]
        elif encoding == "composite_tensor":
            pending += [component.name for component in info.composite_tensor.components]
    kept: set[str] = set()
    while pending:
        name = _node_name(pending.pop())
        if name in kept or name not in nodes:
            continue
        kept.add(name)
        pending.extend(nodes[name].input)
    kept |= {name for name, node in nodes.items() if node.op == "VarHandleOp"}
    remaining = [node for node in meta_graph.graph_def.node if node.name in kept]
    del meta_graph.graph_def.node[:]
    meta_graph.graph_def.node.extend(remaining)
    return kept


def _import_state(meta_graph, scope: str, spec) -> None:
    """Imports the state graph; the first import of the module's graph, so a damaged
    graph that passed ModuleReader's checks fails here."""
    try:
        tf.compat.v1.train.import_meta_graph(meta_graph, input_map={},
                                             import_scope=scope.split("/")[-1])
    except (ValueError, TypeError, tf.errors.OpError) as e:
        raise import_error(spec.source or "(in memory)", meta_graph.meta_info_def.tags, e) from e


def _variable_map(by_node: dict) -> dict:
    """``{"emb/part_0": v0, ...}`` -> ``{"emb": [v0, v1, ...]}`` for partitioned variables."""
    entries = []
    for key, var in by_node.items():
        info = var._save_slice_info  # private TF/hub API (the only record of partitioning)
        if not info:
            entries.append((key, None, None, var))
            continue
        full_name = key[: key.rfind("/")]
        if not info.full_name.endswith(full_name):
            raise errors.UnsupportedGraphError(
                f"Unexpected handling of partitioned variable {key!r} ({info.full_name}).")
        entries.append((key, full_name, info.var_offset, var))
    return hub_format.group_partitions(entries)


def _flatten(variable_map: dict) -> list:
    result = []
    for _, value in sorted(variable_map.items()):
        result.extend(value if isinstance(value, list) else [value])
    return result


def _unused_state_scope(name: str) -> str:
    """A fresh variable scope for the module's state whose name scope is unused too."""
    outer = tf.compat.v1.get_variable_scope().name
    with tf.name_scope(outer + "/" if outer else ""):
        with tf.compat.v1.variable_scope(None, default_name=name,
                                         auxiliary_name_scope=False) as scope:
            state_scope = scope.name + "/"
        graph = tf.compat.v1.get_default_graph()
        if graph.unique_name(name, False) + "/" != state_scope:
            raise errors.GraphMismatchError(
                f"variable_scope {state_scope} was unused but the corresponding name_scope "
                "was already taken.")
    return state_scope


def export_new_instance(spec, path: str, checkpoint_path: str | None = None,
                        name_transform_fn=None) -> None:
    """Instantiates ``spec`` (its ``set()`` graph) in a new graph and exports it to ``path``.

    With ``checkpoint_path`` (``ModuleSpec.export``) the variables take their
    values from that training checkpoint, under the names ``name_transform_fn``
    gives them; without, from the spec's checkpoint or their initializers (how
    the eager backend writes a spec built by create_module_spec to disk).
    """
    with tf.Graph().as_default():
        module = GraphModule(spec, spec.checked_tags(None), False, "module")
        if checkpoint_path is not None:
            transform = name_transform_fn or (lambda name: name)
            tf.compat.v1.train.init_from_checkpoint(
                checkpoint_path, {transform(name): value
                                  for name, value in module.variable_map.items()})
            initializers = [tf.compat.v1.global_variables_initializer()]
        else:
            initializers = [tf.compat.v1.global_variables_initializer(),
                            tf.compat.v1.tables_initializer()]
        with tf.compat.v1.Session() as session:
            session.run(initializers)
            module.export(path, session)


def _fix_colocation(graph, feed_map: dict, scope: str) -> None:
    """Points ``loc:@`` constraints on replaced state/input ops at their replacements."""
    rewrites: dict[bytes, list[bytes]] = {}
    for tensor_name, tensor in feed_map.items():
        op_name = _scoped(tensor_name, scope).rsplit(":", 1)[0]
        rewrites[b"loc:@" + op_name.encode()] = list(tensor.op.colocation_groups())
    for op in graph.get_operations():
        if not op.name.startswith(scope + "/"):
            continue
        try:
            values = op.get_attr("_class")
        except ValueError:
            continue
        groups, others = [], []
        for value in values:
            if value.startswith(b"loc:@"):
                groups.extend(rewrites.get(value, [value]))
            else:
                others.append(value)
        attr = tf.compat.v1.AttrValue()
        attr.list.s.extend(others + sorted(set(groups)))
        op._set_attr("_class", attr)  # private TF/hub API (no public API to rewrite colocation)
