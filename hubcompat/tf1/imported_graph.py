"""One tag set's graph of a TF1 module, imported onto the module's shared state.

The graph is imported once into a ``tf.compat.v1.wrap_function`` with its
variables, tables and asset paths mapped (``input_map``) onto the
:class:`~hubcompat.tf1.state.ModuleState`; each signature is then pruned out
of it into a concrete function on first use.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import tensorflow as tf
from tensorflow.core.framework import variable_pb2
from tensorflow.core.protobuf import meta_graph_pb2

from hubcompat import errors
from hubcompat._tf_private import call_flat, current_handle, prune_with_keyword_inputs
from hubcompat.tf1 import distributed_updates, graph_rewrite, regularization
from hubcompat.tf1.loop_gradients import LoopGradientCall
from hubcompat.tf1.module_reader import (
    REGULARIZATION_LOSSES_COLLECTION,
    TABLE_INITIALIZERS_COLLECTION,
    UPDATE_OPS_COLLECTION,
    VARIABLES_COLLECTION,
    ModuleReader,
    composite_type_spec,
    tf_error_text,
)
from hubcompat.tf1.state import ModuleState

_import_ids = itertools.count()
LOCAL_VARIABLES_COLLECTION = "local_variables"
CONTROL_FLOW_COLLECTIONS = ("while_context", "cond_context")


class SignatureFunction:
    """A pruned signature: flat inputs in ``input_keys`` order -> dict of outputs."""

    def __init__(self, call: Callable[[list], dict], input_keys: list[str],
                 sparse_inputs: set[str], make_keyword_function: Callable[[], Any],
                 ragged_inputs: dict[str, int] | None = None) -> None:
        self._call = call
        self.input_keys = input_keys  # sorted signature input names
        self.sparse_inputs = sparse_inputs  # subset of input_keys
        self.ragged_inputs = ragged_inputs or {}  # input key -> number of flat components
        self._make_keyword_function = make_keyword_function
        self._keyword_function: Any = None

    def __call__(self, flat_inputs: list) -> dict:
        return self._call(flat_inputs)

    def keyword_function(self) -> Any:
        """The signature as ``hub.load`` gives it: a concrete function of keyword inputs."""
        if self._keyword_function is None:
            with tf.init_scope():
                self._keyword_function = self._make_keyword_function()
        return self._keyword_function


class ImportedGraph:
    """The graph of one tag set, imported onto shared state."""

    def __init__(self, reader: ModuleReader, tags: frozenset[str], state: ModuleState) -> None:
        self._reader = reader
        self._tags = tags
        meta_graph = reader.meta_graph(tags)
        graph_def = graph_rewrite.externalize_state(meta_graph.graph_def, reader.path)
        graph_def = graph_rewrite.rename_functions(graph_def, f"_hubcompat{next(_import_ids)}")
        state_nodes = graph_rewrite.state_nodes(meta_graph.graph_def)
        variables = state.variables_by_name
        external: dict[str, tf.Tensor] = {}
        self._tables = {}
        self._variable_inputs: list[tuple[tf.Variable, str]] = []  # (variable, mapped name)
        for node in meta_graph.graph_def.node:
            op = state_nodes.get(node.name)
            if op is None:
                continue
            if op in graph_rewrite.TABLE_OPS:
                table = state.table(node, reader.path)
                self._tables[node.name] = table
                external[node.name + ":0"] = table.resource_handle
            elif node.name in variables:
                external[node.name + ":0"] = current_handle(variables[node.name])
                self._variable_inputs.append((variables[node.name], node.name + ":0"))
            else:
                raise errors.CorruptModuleError(
                    f"Module {reader.path!r}: graph for tags {set(tags) or 'set()'} has variable "
                    f"{node.name!r}, which is missing from its 'variables' collection."
                )
        for tensor_name, filename in reader.asset_files(tags).items():
            external[tensor_name] = state.asset(tensor_name, filename).asset_path
        # tf.distribute variables (created under strategy.scope()): the graph
        # captured their first copy's handle; each call swaps in the handles of
        # the replica it runs on (see _replica_captures).
        self._distributed = {
            id(external[name]): variable for variable, name in self._variable_inputs
            if isinstance(variable, tf.distribute.DistributedValues)
        }
        self.regularization_losses = self._regularization_losses(graph_def, state_nodes, state)
        written = graph_rewrite.written_variables(graph_def, _initializer_names(meta_graph))
        # The variables this graph's ops assign, in the state's order.
        self.written_variables = [v for name, v in variables.items() if name in written]

        self.mapped: dict[str, tf.Tensor] = {}

        def import_graph():
            graph_rewrite.adopt_producer_version(graph_def.versions)  # before any capture
            graph = tf.compat.v1.get_default_graph()
            for name, tensor in external.items():
                self.mapped[name] = graph.capture(tensor)
            # import_meta_graph (not import_graph_def) so that TF1 while/cond
            # contexts are restored: gradients through v1 control flow need them.
            try:
                tf.compat.v1.train.import_meta_graph(
                    _control_flow_meta_graph(meta_graph, graph_def), input_map=dict(self.mapped)
                )
            except (ValueError, TypeError, tf.errors.OpError) as e:
                raise reader.import_error(tags, e) from e

        with tf.init_scope():
            self._wrapped = tf.compat.v1.wrap_function(import_graph, signature=[])
        # Tell the tape that calls read the module's variables: without this,
        # gradients through the captured handles would be None.
        self._wrapped.graph.variables = state.variables
        self._update_ops = [
            _as_operation(self._wrapped.graph.as_graph_element(name))
            for name in reader.node_names(tags, UPDATE_OPS_COLLECTION)
        ]
        self._signatures: dict[tuple[str, bool], SignatureFunction] = {}
        # The same variables by the graph tensor standing for their handle:
        # their update ops are aggregated across replicas (distributed_updates).
        self._distributed_handles = {
            self.mapped[name].ref(): variable for variable, name in self._variable_inputs
            if isinstance(variable, tf.distribute.DistributedValues)
        }

    def _replica_captures(self, function) -> list:
        """``function``'s captured inputs, with this replica's copy of each distributed variable."""
        return [
            current_handle(self._distributed[id(c)]) if id(c) in self._distributed else c
            for c in function.captured_inputs
        ]

    def element(self, name: str) -> Any:
        """A tensor of the imported graph, or its replacement if it was mapped."""
        mapped = self.mapped.get(name)
        return self._wrapped.graph.as_graph_element(name) if mapped is None else mapped

    def _tensor_from_info(self, info):
        encoding = info.WhichOneof("encoding")
        if encoding == "coo_sparse":
            sparse = info.coo_sparse
            return tf.SparseTensor(
                self.element(sparse.indices_tensor_name),
                self.element(sparse.values_tensor_name),
                self.element(sparse.dense_shape_tensor_name),
            )
        if encoding == "composite_tensor":  # a RaggedTensor
            components = [self.element(c.name) for c in info.composite_tensor.components]
            return tf.nest.pack_sequence_as(composite_type_spec(info), components,
                                            expand_composites=True)
        return self.element(info.name)

    def signature(self, name: str, with_update_ops: bool = False) -> SignatureFunction:
        key = (name, with_update_ops)
        if key not in self._signatures:
            with tf.init_scope():
                self._signatures[key] = self._prune_signature(name, with_update_ops)
        return self._signatures[key]

    def _prune_signature(self, name: str, with_update_ops: bool) -> SignatureFunction:
        signature_def = self._reader.signature_def(self._tags, name)
        input_keys = sorted(signature_def.inputs)
        feeds, sparse, ragged = [], set(), {}
        for key in input_keys:
            tensor = self._tensor_from_info(signature_def.inputs[key])
            if isinstance(tensor, tf.SparseTensor):
                sparse.add(key)
                feeds.extend([tensor.indices, tensor.values, tensor.dense_shape])
            elif isinstance(tensor, tf.RaggedTensor):
                components = tf.nest.flatten(tensor, expand_composites=True)
                ragged[key] = len(components)
                feeds.extend(components)
            else:
                feeds.append(tensor)
        outputs = {
            key: self._tensor_from_info(info) for key, info in signature_def.outputs.items()
        }
        extra_ops = self._update_ops_fed_by(feeds) if with_update_ops else []
        extra_ops, assigns = distributed_updates.split_update_ops(
            extra_ops, self._distributed_handles, self._reader.path)
        pruned = self._prune(name, feeds, (outputs, extra_ops, [a[2] for a in assigns]))
        if any(op.type == "LoopCond" for op in pruned.graph.get_operations()):
            if assigns:
                raise errors.UnsupportedGraphError(
                    f"Module {self._reader.path!r}: signature {name!r} runs a TF1 while loop and "
                    "has update ops; under a tf.distribute strategy hubcompat cannot aggregate "
                    "them across replicas. Fine-tune it without a strategy, or call it with "
                    "training=False under the strategy."
                )
            call: Callable[[list], dict] = LoopGradientCall(
                self._wrapped, pruned, feeds, outputs,
                handles=[self.mapped[name] for _, name in self._variable_inputs],
                variables=[variable for variable, _ in self._variable_inputs],
                captures=self._replica_captures if self._distributed else None,
            )
        elif self._distributed:
            def call(flat_inputs, _pruned=pruned):
                captures = self._replica_captures(_pruned)
                outputs, _, values = call_flat(_pruned, flat_inputs, captures)
                distributed_updates.apply(assigns, values)
                return outputs
        else:
            def call(flat_inputs, _pruned=pruned):
                return call_flat(_pruned, flat_inputs)[0]  # [1]: the control outputs' Nones

        def keyword_function():
            return self._prune_keyword_signature(input_keys, feeds, sparse, outputs, ragged)

        return SignatureFunction(call, input_keys, sparse, keyword_function,
                                 ragged)

    def _update_ops_fed_by(self, feeds) -> list:
        """The update ops that need no placeholder other than ``feeds``.

        A train graph's update ops (batch-norm moving averages) hang off the
        input of the signature that computes them; another signature of the
        same graph cannot feed that input, so it runs without them.
        """
        fed = {t.op for t in feeds} | {t.op for t in self._wrapped.graph.internal_captures}
        runnable = []
        for op in self._update_ops:
            seen, stack, ok = set(), [op], True
            while stack and ok:
                current = stack.pop()
                if current in seen or current in fed:
                    continue
                seen.add(current)
                if current.type in ("Placeholder", "PlaceholderWithDefault") and not current.inputs:
                    ok = current.type == "PlaceholderWithDefault"
                    continue
                stack.extend(t.op for t in current.inputs)
                stack.extend(current.control_inputs)
            if ok:
                runnable.append(op)
        return runnable

    def _prune(self, name, feeds, fetches):
        try:
            return self._wrapped.prune(feeds=feeds, fetches=fetches)
        except Exception as e:  # lift_to_graph.UnliftableError has no public home
            raise errors.UnsupportedGraphError(
                f"Module {self._reader.path!r}: signature {name!r} cannot be cut out of its "
                f"graph ({e}). An output may depend on a placeholder that is not a signature input."
            ) from e

    def _prune_keyword_signature(self, input_keys, feeds, sparse, outputs, ragged):
        # The convention of tf.compat.v1.saved_model.load_v2 (what hub.load gives
        # for TF1 modules): sorted keyword arguments, a sparse input split into
        # <name>_indices, <name>_values and <name>_dense_shape, a ragged one into
        # <name>_component_0, <name>_component_1, ...
        names = []
        for key in input_keys:
            if key in sparse:
                names.extend([f"{key}_indices", f"{key}_values", f"{key}_dense_shape"])
            elif key in ragged:
                names.extend(f"{key}_component_{i}" for i in range(ragged[key]))
            else:
                names.append(key)
        # The input signature's dict flattens in sorted key order: the feeds
        # must come in that order too (<name>_dense_shape before <name>_indices).
        pairs = sorted(zip(names, feeds), key=lambda pair: pair[0])
        names, feeds = [name for name, _ in pairs], [feed for _, feed in pairs]
        specs = {name: tf.TensorSpec.from_tensor(t, name=name) for name, t in zip(names, feeds)}
        return prune_with_keyword_inputs(self._wrapped, feeds, outputs, specs)

    def _regularization_losses(self, graph_def, state_nodes, state: ModuleState) -> list:
        """The graph's regularization losses as no-argument callables (see regularization.py)."""
        names = self._reader.node_names(self._tags, REGULARIZATION_LOSSES_COLLECTION)
        if not names:
            return []
        variables, tables = state.variables_by_name, self._tables

        def sources(name):
            return variables[name] if name in variables else tables[name].resource_handle

        loss_graph = regularization.LossGraph(graph_def, set(state_nodes), self._reader.path)
        losses = regularization.loss_callables(loss_graph, names, sources)
        if not self._distributed:
            return losses
        return [self._on_replica_copies(loss) for loss in losses]

    def _on_replica_copies(self, loss):
        """Under tf.distribute, ``loss`` reads the copies of the replica it runs on,
        so that each replica's gradient of it reaches its own copies."""
        concrete = []

        def call():
            if not concrete:
                with tf.init_scope():
                    concrete.append(loss.get_concrete_function())
            return call_flat(concrete[0], [], self._replica_captures(concrete[0]))

        return call

    def initialize_tables(self) -> None:
        """Gives each table the initializer this graph has for it, and runs it once."""
        init_names = self._reader.node_names(self._tags, TABLE_INITIALIZERS_COLLECTION)
        nodes = {node.name: node for node in self._reader.meta_graph(self._tags).graph_def.node}
        with tf.init_scope():
            for init_name in init_names:
                node = nodes[init_name]
                table = self._tables.get(graph_rewrite.split_input(node.input[0])[0])
                if table is None:
                    continue
                # The op's other inputs (keys and values, or the vocabulary file
                # path) are computed by the graph; the op itself is re-issued on
                # the table's own handle, so a re-exported model re-runs it.
                op = self._wrapped.graph.get_operation_by_name(init_name)
                table.initializer = TableInitializer(
                    node, self._wrapped.prune(feeds=[], fetches=list(op.inputs[1:]))
                )
                try:
                    result = table._initialize()
                except tf.errors.OpError as e:  # e.g. an empty or damaged vocabulary
                    assets = ", ".join(repr(f) for f in self._reader.asset_files(self._tags).values())
                    raise errors.CorruptModuleError(
                        f"Module {self._reader.path!r}: table {node.input[0]!r} cannot be "
                        f"initialized from its assets {assets or '(none)'} ({tf_error_text(e)}). "
                        "An asset file may be damaged or truncated: fetch the module again."
                    ) from e
                if not tf.executing_eagerly():
                    tf.compat.v1.add_to_collection(
                        tf.compat.v1.GraphKeys.TABLE_INITIALIZERS, result
                    )


def _initializer_names(meta_graph) -> set[str]:
    """The ops that initialize the graph's variables (not writes of its computation)."""
    names = set()
    for key in (VARIABLES_COLLECTION, LOCAL_VARIABLES_COLLECTION):
        if key in meta_graph.collection_def:
            for raw in meta_graph.collection_def[key].bytes_list.value:
                names.add(variable_pb2.VariableDef.FromString(raw).initializer_name)
    return names


def _as_operation(element):
    """Collections such as ``update_ops`` may list tensors (ref-variable assigns)."""
    return element.op if isinstance(element, tf.Tensor) else element


def _control_flow_meta_graph(meta_graph, graph_def):
    """A MetaGraphDef holding ``graph_def`` and only the control-flow collections."""
    result = meta_graph_pb2.MetaGraphDef()
    result.meta_info_def.CopyFrom(meta_graph.meta_info_def)
    result.graph_def.CopyFrom(graph_def)
    for key in CONTROL_FLOW_COLLECTIONS:
        if key in meta_graph.collection_def:
            result.collection_def[key].CopyFrom(meta_graph.collection_def[key])
    return result


class TableInitializer:
    """Re-issues a graph's table initializer op on a given table handle."""

    # op -> (names of its inputs after the table handle, attrs to pass on)
    _SIGNATURES = {
        "InitializeTableV2": (("keys", "values"), ()),
        "InitializeTableFromTextFileV2": (
            ("filename",),
            ("key_index", "value_index", "vocab_size", "delimiter", "offset"),
        ),
    }

    def __init__(self, node_def: Any, compute_inputs: Callable[[], list]) -> None:
        if node_def.op not in self._SIGNATURES:
            raise errors.UnsupportedGraphError(
                f"Table initializer {node_def.name!r} is a {node_def.op}; hubcompat supports "
                f"{', '.join(self._SIGNATURES)}."
            )
        self._op = getattr(tf.raw_ops, node_def.op)
        self._input_names, attr_names = self._SIGNATURES[node_def.op]
        self._attrs: dict[str, Any] = {}
        for name in attr_names:
            if name not in node_def.attr:
                continue
            value = node_def.attr[name]
            self._attrs[name] = value.s.decode("utf-8") if value.WhichOneof("value") == "s" else value.i
        self._compute_inputs = compute_inputs

    def __call__(self, table_handle: Any) -> Any:
        inputs = dict(zip(self._input_names, self._compute_inputs()))
        return self._op(table_handle=table_handle, **inputs, **self._attrs)
