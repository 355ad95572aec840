"""Rewrites a TF1 GraphDef so its state lives outside the graph.

Every variable node becomes a resource ``Placeholder`` of the same name, so the
graph can be imported with ``input_map`` onto TF2 variables that hubcompat owns.
Reference variables (``VariableV2``, from TF1 code without ``use_resource``)
become resource variables on the way: their readers and assigners are turned
into the resource ops that do the same thing. Lookup tables are treated the
same way, so that every imported graph (``set()``, ``{"train"}``, each
signature) shares one table.
"""

from __future__ import annotations

import copy

from tensorflow.core.framework import graph_pb2, node_def_pb2, types_pb2, versions_pb2

from hubcompat import errors
from hubcompat._tf_private import registered_op_def
from hubcompat.tf1.hub_format import (
    REF_TABLE_OPS,
    REF_VARIABLE_OPS,
    RESOURCE_VARIABLE_OPS,
    TABLE_OPS,
)

# Ref-variable op -> the resource op doing the same; its output is re-read after it.
_REF_TO_RESOURCE_UPDATE = {
    "Assign": "AssignVariableOp",
    "AssignAdd": "AssignAddVariableOp",
    "AssignSub": "AssignSubVariableOp",
    "ScatterUpdate": "ResourceScatterUpdate",
    "ScatterAdd": "ResourceScatterAdd",
    "ScatterSub": "ResourceScatterSub",
    "ScatterMul": "ResourceScatterMul",
    "ScatterDiv": "ResourceScatterDiv",
}
# Ops that write the variable behind their first (resource) input, and ops a
# resource handle passes through unchanged (into v1 loops and conds).
WRITE_OP_PREFIXES = ("Assign", "ResourceScatter", "ResourceApply", "ResourceSparseApply",
                     "ResourceStridedSliceAssign")
HANDLE_PASSTHROUGH_OPS = frozenset({"Identity", "Enter", "RefEnter", "Switch", "RefSwitch",
                                    "Merge", "RefMerge", "NextIteration", "Exit"})
_READ_SUFFIX = "/_hubcompat_read"
_UPDATE_SUFFIX = "/_hubcompat_update"


def split_input(name: str) -> tuple[str, int, bool]:
    """'^a' -> ('a', -1, True); 'a:1' -> ('a', 1, False); 'a' -> ('a', 0, False)."""
    if name.startswith("^"):
        return name[1:], -1, True
    op, _, index = name.partition(":")
    return op, int(index) if index else 0, False


def state_nodes(graph_def: graph_pb2.GraphDef) -> dict[str, str]:
    """Maps each variable or table node of the graph to its op type."""
    return {
        node.name: node.op
        for node in graph_def.node
        if node.op in RESOURCE_VARIABLE_OPS | REF_VARIABLE_OPS | TABLE_OPS | REF_TABLE_OPS
    }


def written_variables(graph_def: graph_pb2.GraphDef, initializers: set[str]) -> set[str]:
    """The variable nodes that some op of ``graph_def`` (rewritten by
    :func:`externalize_state`) other than their ``initializers`` writes: a
    stateful module's state, or its batch-norm moving averages in a train graph."""
    nodes = {node.name: node for node in graph_def.node}
    written = set()
    for node in graph_def.node:
        if not node.op.startswith(WRITE_OP_PREFIXES) or not node.input:
            continue
        if node.name in initializers or node.name.removesuffix(_UPDATE_SUFFIX) in initializers:
            continue
        name = split_input(node.input[0])[0]
        while name in nodes and nodes[name].op in HANDLE_PASSTHROUGH_OPS and nodes[name].input:
            name = split_input(nodes[name].input[0])[0]
        if name in nodes and nodes[name].op == "Placeholder":
            written.add(name)
    return written


def externalize_state(graph_def: graph_pb2.GraphDef, module_path: str) -> graph_pb2.GraphDef:
    """Returns a copy of ``graph_def`` whose variables and tables are placeholders.

    The placeholders keep the state nodes' names, so ``input_map`` entries
    ``"<name>:0" -> resource handle`` attach the graph to outside state.
    """
    graph_def = copy.deepcopy(graph_def)
    ref_variables: dict[str, types_pb2.DataType] = {}
    for node in graph_def.node:
        if node.op in REF_TABLE_OPS:
            raise errors.UnsupportedGraphError(
                f"Module {module_path!r} uses the reference-typed lookup table op {node.op!r} "
                f"(node {node.name!r}), from TensorFlow before 1.3; it cannot run in TF2."
            )
        if node.op in REF_VARIABLE_OPS:
            ref_variables[node.name] = node.attr["dtype"].type
        if node.op in RESOURCE_VARIABLE_OPS | REF_VARIABLE_OPS | TABLE_OPS:
            _make_resource_placeholder(node)
    if ref_variables:
        _convert_ref_consumers(graph_def, ref_variables, module_path)
    return graph_def


def _make_resource_placeholder(node: node_def_pb2.NodeDef) -> None:
    name, device = node.name, node.device
    node.Clear()
    node.name, node.op, node.device = name, "Placeholder", device
    node.attr["dtype"].type = types_pb2.DT_RESOURCE
    node.attr["shape"].shape.SetInParent()  # a scalar handle


def _convert_ref_consumers(
    graph_def: graph_pb2.GraphDef, ref_variables: dict[str, int], module_path: str
) -> None:
    extra_nodes: list[node_def_pb2.NodeDef] = []
    shared_reads: dict[str, str] = {}

    def shared_read(variable: str) -> str:
        if variable not in shared_reads:
            read = node_def_pb2.NodeDef(name=variable + _READ_SUFFIX, op="ReadVariableOp")
            read.input.append(variable)
            read.attr["dtype"].type = ref_variables[variable]
            extra_nodes.append(read)
            shared_reads[variable] = read.name
        return shared_reads[variable]

    for node in graph_def.node:
        ref_inputs = [
            (i, op) for i, (op, _, ctrl) in enumerate(map(split_input, node.input))
            if not ctrl and op in ref_variables
        ]
        if not ref_inputs:
            continue
        if node.op == "Identity" and len(node.input) >= 1 and ref_inputs[0][0] == 0:
            dtype = ref_variables[ref_inputs[0][1]]
            node.op = "ReadVariableOp"
            del node.attr["T"]
            node.attr["dtype"].type = dtype
            node.input[0] = ref_inputs[0][1]
        elif node.op in _REF_TO_RESOURCE_UPDATE and ref_inputs[0][0] == 0:
            extra_nodes.append(_resource_update(node, ref_variables[ref_inputs[0][1]]))
        elif node.op == "IsVariableInitialized":
            node.op = "VarIsInitializedOp"
            node.attr.clear()
        else:
            op_def = registered_op_def(node.op)
            for index, variable in ref_inputs:
                if op_def is not None and _input_is_ref(op_def, node, index):
                    raise errors.UnsupportedGraphError(
                        f"Module {module_path!r}: node {node.name!r} ({node.op}) updates the "
                        f"reference variable {variable!r} in a way hubcompat cannot convert to "
                        "resource variables. Please report it with the module's handle."
                    )
                node.input[index] = shared_read(variable)
    graph_def.node.extend(extra_nodes)


def _resource_update(node: node_def_pb2.NodeDef, dtype: int) -> node_def_pb2.NodeDef:
    """Turns ``node`` (a ref update) into a read that runs after the resource update."""
    update = node_def_pb2.NodeDef(
        name=node.name + _UPDATE_SUFFIX,
        op=_REF_TO_RESOURCE_UPDATE[node.op],
        device=node.device,
    )
    update.input.extend(node.input)
    update.attr["dtype"].type = dtype
    if "Tindices" in node.attr:
        update.attr["Tindices"].CopyFrom(node.attr["Tindices"])
    variable = split_input(node.input[0])[0]
    node.op = "ReadVariableOp"
    node.attr.clear()
    node.attr["dtype"].type = dtype
    del node.input[:]
    node.input.extend([variable, "^" + update.name])
    return update


def _input_is_ref(op_def, node: node_def_pb2.NodeDef, index: int) -> bool:
    """Whether input ``index`` of ``node`` is a ref-typed argument of its op."""
    position = 0
    for arg in op_def.input_arg:
        if arg.number_attr:
            count = node.attr[arg.number_attr].i
        elif arg.type_list_attr:
            count = len(node.attr[arg.type_list_attr].list.type)
        else:
            count = 1
        if position <= index < position + count:
            return arg.is_ref
        position += count
    return False


def rename_functions(graph_def: graph_pb2.GraphDef, suffix: str) -> graph_pb2.GraphDef:
    """Gives the graph's library functions names unique to this import.

    The eager context keeps one function per name: the ``set()`` and
    ``{"train"}`` graphs of a module may each define a different ``cond_true_1``.
    """
    library = graph_def.library
    if not library.function:
        return graph_def
    renamed = {f.signature.name: f.signature.name + suffix for f in library.function}

    def fix_node(node) -> None:
        if node.op in renamed:
            node.op = renamed[node.op]
        for attr in node.attr.values():
            if attr.HasField("func") and attr.func.name in renamed:
                attr.func.name = renamed[attr.func.name]
            for func in attr.list.func:
                if func.name in renamed:
                    func.name = renamed[func.name]

    for node in graph_def.node:
        fix_node(node)
    for function in library.function:
        function.signature.name = renamed[function.signature.name]
        for node in function.node_def:
            fix_node(node)
    for gradient in library.gradient:
        gradient.function_name = renamed.get(gradient.function_name, gradient.function_name)
        gradient.gradient_func = renamed.get(gradient.gradient_func, gradient.gradient_func)
    return graph_def


def adopt_producer_version(versions: versions_pb2.VersionDef) -> None:
    """Makes the default graph, while it has no nodes, infer shapes at ``versions.producer``.

    Importing a GraphDef into a graph that has nodes logs "Importing a graph with a
    lower producer version" (graph_constructor.cc) when the GraphDef is older than
    the graph, once per import: 178 lines for a module with 177 regularization
    losses (issue 21). TensorFlow then lowers the graph's version to the GraphDef's
    all the same; importing an empty GraphDef of that version first, before the
    graph has nodes, lowers it without the warning, so the module's nodes get the
    shape inference they were written for.
    """
    import tensorflow as tf

    if versions.producer <= 0:
        return
    versions_only = graph_pb2.GraphDef()
    versions_only.versions.CopyFrom(versions)
    tf.graph_util.import_graph_def(versions_only, name="")
