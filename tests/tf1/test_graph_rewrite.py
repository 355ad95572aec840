"""hubcompat/tf1/graph_rewrite.py: a TF1 GraphDef with its state moved outside the graph.

Tiny graphs are built with tf.compat.v1 in the test, run in a Session, then
rewritten and imported with their variables mapped onto TF2 resource
variables holding the same values: outputs and updates must be the Session's.
"""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from hubcompat.tf1 import graph_rewrite  # noqa: E402


def test_split_input():
    assert graph_rewrite.split_input("^a/b") == ("a/b", -1, True)
    assert graph_rewrite.split_input("a/b:1") == ("a/b", 1, False)
    assert graph_rewrite.split_input("a/b") == ("a/b", 0, False)


def _ref_variable_graph():
    """y = x @ w + b with reference variables; ``update`` adds x's column sums to ``b``."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        w = tf.compat.v1.Variable([[1.0, -2.0], [0.5, 3.0]], name="w", use_resource=False)
        b = tf.compat.v1.Variable([0.25, -0.75], name="b", use_resource=False)
        y = tf.add(tf.matmul(x, w), b, name="y")
        update = tf.compat.v1.assign_add(b, tf.reduce_sum(x, 0), name="update")
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(tf.constant(["a"]), tf.constant([1], tf.int64)),
            -1, name="table")
        del table
    return graph, x, y, update


def test_state_nodes_are_the_variables_and_tables():
    graph, *_ = _ref_variable_graph()
    nodes = graph_rewrite.state_nodes(graph.as_graph_def())
    assert {n: op for n, op in nodes.items() if op != "HashTableV2"} == {"w": "VariableV2",
                                                                       "b": "VariableV2"}
    assert list(nodes.values()).count("HashTableV2") == 1


def test_reference_variables_become_resource_placeholders_computing_the_same():
    graph, x, y, update = _ref_variable_graph()
    feed = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    with graph.as_default(), tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        initial = {v.op.name: session.run(v) for v in tf.compat.v1.global_variables()}
        expected_y = session.run(y, {x: feed})
        session.run(update, {x: feed})
        expected_b = session.run(graph.get_tensor_by_name("b:0"))

    rewritten = graph_rewrite.externalize_state(graph.as_graph_def(), "tiny")
    nodes = {n.name: n for n in rewritten.node}
    for name in ("w", "b"):
        assert nodes[name].op == "Placeholder"
        assert nodes[name].attr["dtype"].type == tf.resource.as_datatype_enum
    variables = {name: tf.Variable(value) for name, value in initial.items()}

    def imported(fetch):
        def run():
            graph = tf.compat.v1.get_default_graph()  # the wrapped function's: captures handles
            return tf.graph_util.import_graph_def(
                rewritten, input_map={"x:0": tf.constant(feed),
                                      **{f"{n}:0": graph.capture(v.handle)
                                         for n, v in variables.items()}},
                return_elements=[fetch], name="")[0]

        return tf.compat.v1.wrap_function(run, [])

    np.testing.assert_allclose(imported("y:0")().numpy(), expected_y, rtol=1e-6)
    np.testing.assert_allclose(variables["b"].numpy(), initial["b"])  # y only reads
    imported("update:0")()
    np.testing.assert_allclose(variables["b"].numpy(), expected_b, rtol=1e-6)
    assert graph_rewrite.written_variables(rewritten, {"w/Assign", "b/Assign"}) == {"b"}


def test_the_original_graph_def_is_not_changed():
    graph, *_ = _ref_variable_graph()
    graph_def = graph.as_graph_def()
    before = graph_def.SerializeToString(deterministic=True)
    graph_rewrite.externalize_state(graph_def, "tiny")
    assert graph_def.SerializeToString(deterministic=True) == before


def test_written_variables_follow_handles_through_identities():
    graph = tf.Graph()
    with graph.as_default():
        handle = tf.compat.v1.placeholder(tf.resource, [], name="v")
        passed = tf.identity(handle, name="passed")
        tf.raw_ops.AssignAddVariableOp(resource=passed, value=tf.constant(1.0), name="bump")
        initial = tf.raw_ops.AssignVariableOp(resource=handle, value=tf.constant(0.0), name="init")
        read_only = tf.compat.v1.placeholder(tf.resource, [], name="r")
        tf.raw_ops.ReadVariableOp(resource=read_only, dtype=tf.float32)
    graph_def = graph.as_graph_def()
    assert graph_rewrite.written_variables(graph_def, {initial.name}) == {"v"}
    assert graph_rewrite.written_variables(graph_def, {initial.name, "bump"}) == set()


def test_rename_functions_gives_each_import_its_own_functions():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [], name="x")
        y = tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0, name="branch")
        tf.identity(y, name="y")
    graph_def = graph.as_graph_def()
    names = {f.signature.name for f in graph_def.library.function}
    assert names
    renamed = graph_rewrite.rename_functions(graph_def, "_import7")
    assert {f.signature.name for f in renamed.library.function} == {n + "_import7" for n in names}
    for node in renamed.node:
        for attr in node.attr.values():
            if attr.HasField("func"):
                assert attr.func.name.endswith("_import7")
    with tf.Graph().as_default() as imported, tf.compat.v1.Session() as session:
        tf.graph_util.import_graph_def(renamed, name="")
        get = imported.get_tensor_by_name
        assert session.run(get("y:0"), {get("x:0"): 3.0}) == 6.0
        assert session.run(get("y:0"), {get("x:0"): -3.0}) == -4.0
    empty = tf.Graph().as_graph_def()
    assert graph_rewrite.rename_functions(empty, "_x") is empty
