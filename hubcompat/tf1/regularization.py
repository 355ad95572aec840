"""A TF1 module's regularization losses as no-argument callables, built when first called.

Each loss of the ``regularization_losses`` collection is cut out of the
module's (rewritten) GraphDef as the few nodes it needs, usually a variable
read and an ``L2Loss``. At load time that is a walk over the GraphDef, with no
TensorFlow function built, so loading costs the same with 1 or 500 losses.
The first call of a loss traces a ``tf.function`` that imports its nodes,
mapped onto the module's variables: it captures only the variables that loss
reads (a ``wrap_function`` prune per loss would capture every variable of the
module, 35,000 placeholders for inception_v3's 94 losses).

A loss built under ``tf.control_dependencies`` on the module's outputs
(bilm-tf's ELMo creates ``ELMo_W``'s l2 loss that way) keeps none of the
control inputs that lead to a signature input: the loss needs only the
variable's value, and running the forward pass for it would need inputs it
does not have (and would move a stateful module's state).
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf
from tensorflow.core.framework import graph_pb2

from hubcompat import errors
from hubcompat._tf_private import current_handle, mark_variables_read
from hubcompat.tf1.graph_rewrite import adopt_producer_version, split_input

FEED_OPS = frozenset({"Placeholder", "PlaceholderV2"})


class LossGraph:
    """The nodes of a GraphDef that a module's regularization losses need."""

    def __init__(self, graph_def: graph_pb2.GraphDef, state_names: set[str],
                 module_path: str) -> None:
        self._nodes = {node.name: node for node in graph_def.node}
        self._library = graph_def.library
        self._versions = graph_def.versions
        self._state_names = state_names  # placeholders mapped onto the module's state
        self._module_path = module_path
        self._fed: set[str] | None = None  # ops that need a signature input

    def cut(self, tensor_name: str) -> tuple[graph_pb2.GraphDef, list[str]]:
        """The nodes computing ``tensor_name`` (feed-dependent control inputs dropped)
        and the names of the state placeholders they read."""
        op_name = split_input(tensor_name)[0]
        if op_name not in self._nodes:
            raise errors.CorruptModuleError(
                f"Module {self._module_path!r}: regularization loss {tensor_name!r} is not a "
                "node of its graph. Fetch the module again."
            )
        kept: dict[str, object] = {}
        stack = [op_name]
        while stack:
            name = stack.pop()
            if name in kept:
                continue
            node = self._nodes[name]
            if node.op in FEED_OPS and name not in self._state_names:
                raise errors.UnsupportedGraphError(
                    f"Module {self._module_path!r}: regularization loss {tensor_name!r} "
                    f"computes with the signature input {name!r}; a regularization loss can "
                    "only depend on the module's variables."
                )
            inputs = [i for i in node.input
                      if not (i.startswith("^") and self._depends_on_feed(i[1:]))]
            if len(inputs) != len(node.input):
                copy = type(node)()
                copy.CopyFrom(node)
                del copy.input[:]
                copy.input.extend(inputs)
                node = copy
            kept[name] = node
            stack.extend(split_input(i)[0] for i in inputs)
        graph_def = graph_pb2.GraphDef()
        graph_def.versions.CopyFrom(self._versions)
        graph_def.node.extend(kept.values())
        if self._uses_functions(kept.values()):
            graph_def.library.CopyFrom(self._library)
        state = [name for name in kept if name in self._state_names]
        return graph_def, state

    def _depends_on_feed(self, name: str) -> bool:
        """Whether op ``name`` needs, through data or control inputs, a placeholder that
        is not the module's state (a signature input)."""
        if self._fed is None:
            consumers: dict[str, list[str]] = {}
            for node in self._nodes.values():
                for i in node.input:
                    consumers.setdefault(split_input(i)[0], []).append(node.name)
            stack = [n.name for n in self._nodes.values()
                     if n.op in FEED_OPS and n.name not in self._state_names]
            fed: set[str] = set()
            while stack:  # forward from the inputs: v1 loops make the graph cyclic
                current = stack.pop()
                if current not in fed:
                    fed.add(current)
                    stack.extend(consumers.get(current, ()))
            self._fed = fed
        return name in self._fed

    def _uses_functions(self, nodes) -> bool:
        if not self._library.function:
            return False
        names = {f.signature.name for f in self._library.function}
        for node in nodes:
            if node.op in names:
                return True
            for attr in node.attr.values():
                if attr.HasField("func") or attr.list.func:
                    return True
        return False


def loss_callables(loss_graph: LossGraph, tensor_names: list[str], sources: Any) -> list:
    """One no-argument ``tf.function`` per loss. The nodes are cut out now (a walk of
    a few nodes each); nothing is traced until a loss is called.
    ``sources(placeholder_name)`` gives the variable (or table handle) a state
    placeholder stands for."""
    return [_loss_function(*loss_graph.cut(name), _tensor_name(name), sources)
            for name in tensor_names]


def _tensor_name(name: str) -> str:
    return name if ":" in name else name + ":0"


def _loss_function(graph_def: graph_pb2.GraphDef, state: list[str], tensor_name: str, sources):
    # A callable object, not a closure: tf.function counts traces per code object,
    # and would warn of "retracing" when a module's 177 losses are first traced.
    return tf.function(_ImportLoss(graph_def, state, tensor_name, sources),
                       input_signature=[], autograph=False)


class _ImportLoss:
    """Imports one loss's nodes into the graph being traced, mapped onto the module's state."""

    __name__ = "regularization_loss"

    def __init__(self, graph_def, state, tensor_name, sources):
        self._graph_def, self._state = graph_def, state
        self._tensor_name, self._sources = tensor_name, sources

    def __call__(self):
        adopt_producer_version(self._graph_def.versions)  # before the captures below
        graph = tf.compat.v1.get_default_graph()
        input_map = {}
        variables = []
        for name in self._state:
            source = self._sources(name)
            if isinstance(source, tf.Variable):
                variables.append(source)
                source = current_handle(source)
            input_map[name + ":0"] = graph.capture(source)
        mark_variables_read(variables)  # so a GradientTape sees what the loss reads
        (result,) = tf.graph_util.import_graph_def(
            self._graph_def, input_map=input_map, return_elements=[self._tensor_name],
            name="loss")
        return result
