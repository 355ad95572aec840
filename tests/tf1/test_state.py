"""hubcompat/tf1/state.py: a module's variables, tables and assets as TF2 objects.

The variables start from the values a tf.compat.v1 Session restores for the
same graph (tests/support/tf1_session.py), partitions included.
"""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from tensorflow.core.framework import node_def_pb2, types_pb2  # noqa: E402

from hubcompat.tf1.module_reader import ModuleReader  # noqa: E402
from hubcompat.tf1.state import ModuleState, TableResource, restore_values  # noqa: E402

from tests.support.paths import FIXTURES  # noqa: E402
from tests.support.tf1_session import TF1Session  # noqa: E402


def _tf1_values(name, tags=()):
    oracle = TF1Session(FIXTURES / name, tags)
    with oracle.graph.as_default():
        variables = tf.compat.v1.global_variables()
        trainable = {v.op.name for v in tf.compat.v1.trainable_variables()}
        return dict(zip([v.op.name for v in variables], oracle.run(variables, {}), strict=True)), trainable


@pytest.mark.parametrize("name, tags", [("mlp_bn", ("train",)), ("text_embed", ()), ("ref_vars", ())])
def test_variables_hold_what_a_tf1_session_restores(name, tags):
    state = ModuleState(ModuleReader(str(FIXTURES / name)), tags)
    expected, trainable = _tf1_values(name, tags)
    assert list(state.variables_by_name) == list(expected)
    for variable_name, variable in state.variables_by_name.items():
        np.testing.assert_array_equal(variable.numpy(), expected[variable_name], err_msg=variable_name)
        assert variable.trainable == (variable_name in trainable)
    assert [v.name.split(":")[0] for v in state.trainable_variables] == \
        [n for n in expected if n in trainable]


def test_restore_puts_the_checkpoint_values_back():
    state = ModuleState(ModuleReader(str(FIXTURES / "mlp_bn")), ())
    expected, _ = _tf1_values("mlp_bn")
    for variable in state.variables:
        variable.assign(tf.zeros_like(variable) + 7.0)
    state.restore()
    for variable_name, variable in state.variables_by_name.items():
        np.testing.assert_array_equal(variable.numpy(), expected[variable_name], err_msg=variable_name)


def test_restore_values_reads_partitions_as_their_slices():
    reader = ModuleReader(str(FIXTURES / "text_embed"))
    parts = [d for d in reader.variables(()) if d.slice_offset is not None]
    expected, _ = _tf1_values("text_embed")
    values = restore_values(reader, parts)
    for desc, value in zip(parts, values, strict=True):
        np.testing.assert_array_equal(value.numpy(), expected[desc.name], err_msg=desc.name)
    assert restore_values(reader, []) == []


def _table_node(op: str, name: str = "table") -> node_def_pb2.NodeDef:
    node = node_def_pb2.NodeDef(name=name, op=op)
    node.attr["key_dtype"].type = types_pb2.DT_STRING
    node.attr["value_dtype"].type = types_pb2.DT_INT64
    node.attr["shared_name"].s = b"shared_in_the_graph"
    return node


def test_two_tables_of_the_same_node_do_not_share_their_contents():
    first = TableResource(_table_node("MutableHashTableV2"), "module")
    second = TableResource(_table_node("MutableHashTableV2"), "module")
    tf.raw_ops.LookupTableInsertV2(table_handle=first.resource_handle, keys=tf.constant(["a"]),
                                   values=tf.constant([5], tf.int64))
    default = tf.constant(-1, tf.int64)
    find = tf.raw_ops.LookupTableFindV2
    assert find(table_handle=first.resource_handle, keys=tf.constant(["a"]),
                default_value=default).numpy().tolist() == [5]
    assert find(table_handle=second.resource_handle, keys=tf.constant(["a"]),
                default_value=default).numpy().tolist() == [-1]
    assert tf.raw_ops.LookupTableSizeV2(table_handle=second.resource_handle).numpy() == 0


def test_state_keeps_one_table_and_one_asset_per_name():
    state = ModuleState(ModuleReader(str(FIXTURES / "text_embed")), ())
    node = _table_node("HashTableV2", "vocabulary")
    assert state.table(node, "module") is state.table(node, "module")
    assert list(state.tables) == ["vocabulary"]
    vocab = str(FIXTURES / "text_embed" / "assets" / "_vocab.txt")
    asset = state.asset("asset_path:0", vocab)
    assert state.asset("asset_path:0", vocab) is asset
    assert asset.asset_path.numpy().decode() == vocab
