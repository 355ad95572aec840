"""Every ``errors.UnsupportedGraphError`` hubcompat raises, one test each.

Each test builds the smallest TF1 Hub module that reaches the path (written
with hubcompat's hub.Module API, edited where hub.Module would not write the
construct) and asserts the error type, the module named and the next step the
message gives. Two paths are tested where their modules' other tests are:
a regularization loss computed from a signature input
(tests/tf1/test_losses_and_state.py) and an update op that cannot be
aggregated across replicas (tests/keras_layer/test_distribution_errors.py).
Not tested, as they cannot be reached: ``text_embedding_column_v2`` on a
TensorFlow whose ``feature_column_v2.StateManager`` has no ``has_resource``
(every TensorFlow hubcompat supports, 2.13 .. 2.21, has it), and a signature
TensorInfo without an encoding in legacy/tensor_info.py (a module file with one
is refused first, as a CorruptModuleError naming saved_model.pb, and
``add_signature`` always writes an encoding).
"""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import hubcompat  # noqa: E402
from hubcompat import errors  # noqa: E402

from tests.support.modules import edit_saved_model, export  # noqa: E402


def _refused_at_load(path: str) -> str:
    with pytest.raises(errors.UnsupportedGraphError) as info:
        hubcompat.load(path)
    _names_the_module_and_the_next_step(info.value, path)
    return str(info.value)


def _names_the_module_and_the_next_step(error: BaseException, path: str) -> None:
    """The error names the module (attribute and note) and says what to do next."""
    assert isinstance(error, errors.UnsupportedGraphError)
    assert str(error.handle) == str(path)
    (note,) = getattr(error, "__notes__", [])
    assert note == f"Module: {path}. {errors.UNSUPPORTED_GRAPH_NEXT_STEP}"


def _meta_graph(proto, tags=()):
    (meta_graph,) = [m for m in proto.meta_graphs if set(m.meta_info_def.tags) == set(tags)]
    return meta_graph


# --- hubcompat/tf1/graph_rewrite.py ----------------------------------------------


def test_reference_lookup_table_is_refused_naming_the_module(tmp_path):
    def module_fn():
        keys = tf.compat.v1.placeholder(tf.string, [None], name="keys")
        table = tf.raw_ops.HashTable(key_dtype=tf.string, value_dtype=tf.int64, name="old_table")
        ids = tf.raw_ops.LookupTableFind(table_handle=table, keys=keys,
                                         default_value=tf.constant(-1, tf.int64))
        hubcompat.add_signature(inputs=keys, outputs=ids)

    path = export(tmp_path, module_fn)
    message = _refused_at_load(path)
    assert repr(path) in message
    assert "reference-typed lookup table op 'HashTable'" in message and "'old_table'" in message
    assert "from TensorFlow before 1.3; it cannot run in TF2" in message


def test_reference_variable_update_that_cannot_be_converted_is_refused(tmp_path):
    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
        w = tf.compat.v1.Variable([1.0, 2.0], name="w", use_resource=False)
        # ApplyGradientDescent writes its ref input: there is no resource rewrite for it.
        step = tf.raw_ops.ApplyGradientDescent(var=w, alpha=0.1, delta=x, name="sgd")
        hubcompat.add_signature(inputs=x, outputs=step)

    path = export(tmp_path, module_fn)
    message = _refused_at_load(path)
    assert repr(path) in message
    assert "node 'sgd' (ApplyGradientDescent) updates the reference variable 'w'" in message
    assert "Please report it with the module's handle" in message


# --- hubcompat/tf1/state.py ---------------------------------------------------------


def test_unsupported_table_type_is_refused_naming_the_module(tmp_path):
    def module_fn():
        keys = tf.compat.v1.placeholder(tf.int64, [None], name="keys")
        table = tf.raw_ops.MutableDenseHashTableV2(
            empty_key=tf.constant(-1, tf.int64), deleted_key=tf.constant(-2, tf.int64),
            value_dtype=tf.float32, name="dense_table")
        values = tf.raw_ops.LookupTableFindV2(table_handle=table, keys=keys,
                                              default_value=tf.constant(0.0))
        hubcompat.add_signature(inputs=keys, outputs=values)

    path = export(tmp_path, module_fn)
    message = _refused_at_load(path)
    assert repr(path) in message
    assert "creates a MutableDenseHashTableV2 (node 'dense_table')" in message
    assert "hubcompat supports HashTableV2, MutableHashTableV2 tables" in message


# --- hubcompat/tf1/imported_graph.py ----------------------------------------------


def test_signature_output_on_a_placeholder_that_is_not_an_input_is_refused(tmp_path):
    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        hidden = tf.compat.v1.placeholder(tf.float32, [None], name="not_an_input")
        hubcompat.add_signature(inputs=x, outputs=x + hidden)

    path = export(tmp_path, module_fn)
    with pytest.raises(errors.UnsupportedGraphError) as info:
        hubcompat.load(path)(tf.constant([1.0]))
    message = str(info.value)
    assert repr(path) in message and "signature 'default' cannot be cut out of its graph" in message
    assert "An output may depend on a placeholder that is not a signature input" in message


def test_table_initializer_of_an_unsupported_op_is_refused(tmp_path):
    def module_fn():
        keys = tf.compat.v1.placeholder(tf.string, [None], name="keys")
        table = tf.raw_ops.MutableHashTableV2(key_dtype=tf.string, value_dtype=tf.int64,
                                              name="table")
        insert = tf.raw_ops.LookupTableInsertV2(
            table_handle=table, keys=tf.constant(["a", "b"]),
            values=tf.constant([1, 2], tf.int64), name="fill")
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.TABLE_INITIALIZERS, insert)
        ids = tf.raw_ops.LookupTableFindV2(table_handle=table, keys=keys,
                                           default_value=tf.constant(-1, tf.int64))
        hubcompat.add_signature(inputs=keys, outputs=ids)

    path = export(tmp_path, module_fn)
    message = _refused_at_load(path)
    assert "Table initializer 'fill' is a LookupTableInsertV2" in message
    assert "hubcompat supports InitializeTableV2, InitializeTableFromTextFileV2" in message


def test_while_loop_with_update_ops_under_a_strategy_is_refused(tmp_path):
    def module_fn(training):
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        counter = tf.compat.v1.get_variable("counter", [], trainable=False,
                                            initializer=tf.zeros_initializer())
        _, total = tf.compat.v1.while_loop(
            lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + x), [tf.constant(0), x])
        if training:
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS,
                                           counter.assign_add(tf.reduce_sum(x)))
        hubcompat.add_signature(inputs=x, outputs=total)

    tf.compat.v1.disable_control_flow_v2()  # a TF1 while loop (LoopCond), as TF1 wrote them
    try:
        path = export(tmp_path, module_fn, [(set(), {"training": False}),
                                            ({"train"}, {"training": True})])
    finally:
        tf.compat.v1.enable_control_flow_v2()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        layer = hubcompat.KerasLayer(path, trainable=True)
    with pytest.raises(errors.UnsupportedGraphError) as info:
        strategy.run(lambda x: layer(x, training=True), (tf.constant([1.0, 2.0]),))
    message = str(info.value)
    assert repr(path) in message
    assert "signature 'default' runs a TF1 while loop and has update ops" in message
    assert "Fine-tune it without a strategy, or call it with training=False under the strategy" \
        in message


# --- hubcompat/tf1/module_reader.py -----------------------------------------------


def test_signature_tensor_of_a_composite_type_other_than_ragged_is_refused(tmp_path):
    from tensorflow.python.saved_model import nested_structure_coder

    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        hubcompat.add_signature(inputs=x, outputs=2.0 * x)

    path = export(tmp_path, module_fn)
    spec = tf.SparseTensorSpec([None, 3], tf.float32)
    type_spec = nested_structure_coder.encode_structure(spec).type_spec_value

    def edit(proto):
        info = _meta_graph(proto).signature_def["default"].inputs["default"]
        name = info.name
        info.Clear()
        info.composite_tensor.type_spec.CopyFrom(type_spec)
        info.composite_tensor.components.add(name=name, dtype=tf.float32.as_datatype_enum)

    edit_saved_model(path, edit)
    module = hubcompat.load(path)
    with pytest.raises(errors.UnsupportedGraphError) as info:
        module.get_input_info_dict()
    message = str(info.value)
    assert "Signature tensor 'default' is a SparseTensorSpec" in message
    assert "TF1 Hub modules take Tensors, SparseTensors and RaggedTensors only" in message


# --- hubcompat/legacy/module_spec.py, writer.py -------------------------


def test_asset_node_that_is_not_a_scalar_string_constant_is_refused_by_the_spec(tmp_path):
    vocabulary = tmp_path / "vocab.txt"
    vocabulary.write_text("a\nb\n")

    def module_fn():
        keys = tf.compat.v1.placeholder(tf.string, [None], name="keys")
        table = tf.compat.v1.lookup.StaticHashTable(
            tf.compat.v1.lookup.TextFileInitializer(
                str(vocabulary), tf.string, tf.compat.v1.lookup.TextFileIndex.WHOLE_LINE,
                tf.int64, tf.compat.v1.lookup.TextFileIndex.LINE_NUMBER), -1)
        hubcompat.add_signature(inputs=keys, outputs=table.lookup(keys))

    path = export(tmp_path, module_fn)
    np.testing.assert_array_equal(  # the module as written works
        hubcompat.load(path)(tf.constant(["b", "a", "c"])).numpy(), [1, 0, -1])

    def edit(proto):
        from tensorflow.core.protobuf import meta_graph_pb2

        meta_graph = _meta_graph(proto)
        (packed,) = meta_graph.collection_def["saved_model_assets"].any_list.value
        asset = meta_graph_pb2.AssetFileDef()
        packed.Unpack(asset)
        node_name = asset.tensor_info.name.split(":")[0]
        (node,) = [n for n in meta_graph.graph_def.node if n.name == node_name]
        node.attr["value"].tensor.string_val.append(b"second")  # two strings, not one

    edit_saved_model(path, edit)
    with pytest.raises(errors.UnsupportedGraphError) as info:
        hubcompat.Module(hubcompat.load_module_spec(path))
    assert "must be a scalar string constant, is a Const" in str(info.value)
    _names_the_module_and_the_next_step(info.value, path)


def test_export_of_an_asset_that_is_not_a_scalar_string_constant_is_refused(tmp_path):
    def module_fn():
        x = tf.compat.v1.placeholder(tf.string, [None], name="x")
        path = tf.identity(tf.constant("vocab.txt"), name="computed_path")
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, path)
        hubcompat.add_signature(inputs=x, outputs=tf.strings.join([x, path]))

    with pytest.raises(errors.UnsupportedGraphError) as info:
        export(tmp_path, module_fn)
    assert "Asset node 'computed_path' must be a scalar string constant" in str(info.value)


# --- hubcompat/legacy/graph_module.py ------------------------------------------------


def test_stateful_op_with_two_outputs_is_refused_by_hub_module():
    def module_fn():
        x = tf.compat.v1.placeholder(tf.int64, [None], name="x")
        # A stateful op without inputs and two outputs (handle, deleter).
        tf.raw_ops.AnonymousIteratorV2(output_types=[tf.int64], output_shapes=[[]],
                                       name="iterator")
        hubcompat.add_signature(inputs=x, outputs=x + 1)

    spec = hubcompat.create_module_spec(module_fn)
    with tf.Graph().as_default(), pytest.raises(errors.UnsupportedGraphError) as info:
        hubcompat.Module(spec)
    assert "Stateful op AnonymousIteratorV2 has 2 outputs, expected 1" in str(info.value)


def _partitioned_module(tmp_path) -> str:
    def module_fn():
        ids = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
        embeddings = tf.compat.v1.get_variable(
            "embeddings", [4, 2], partitioner=tf.compat.v1.fixed_size_partitioner(2))
        hubcompat.add_signature(inputs=ids,
                                outputs=tf.nn.embedding_lookup(embeddings, ids))

    return export(tmp_path, module_fn)


def _edit_slice_infos(path, edit) -> None:
    from tensorflow.core.framework import variable_pb2

    def edit_proto(proto):
        for meta_graph in proto.meta_graphs:
            for collection in ("variables", "trainable_variables"):
                values = meta_graph.collection_def[collection].bytes_list.value
                for i, raw in enumerate(values):
                    var_def = variable_pb2.VariableDef.FromString(raw)
                    edit(var_def)
                    values[i] = var_def.SerializeToString()

    edit_saved_model(path, edit_proto)


def test_partition_whose_full_name_is_another_variable_is_refused(tmp_path):
    path = _partitioned_module(tmp_path)

    def edit(var_def):
        var_def.save_slice_info_def.full_name = "elsewhere"

    _edit_slice_infos(path, edit)
    with tf.Graph().as_default(), pytest.raises(errors.UnsupportedGraphError) as info:
        hubcompat.Module(hubcompat.load_module_spec(path))
    assert "Unexpected handling of partitioned variable 'embeddings/part_0' (module/elsewhere)" \
        in str(info.value)
    _names_the_module_and_the_next_step(info.value, path)


def test_two_partitions_at_the_same_offset_are_refused(tmp_path):
    path = _partitioned_module(tmp_path)

    def edit(var_def):
        var_def.save_slice_info_def.var_offset[0] = 0

    _edit_slice_infos(path, edit)
    with tf.Graph().as_default(), pytest.raises(errors.UnsupportedGraphError) as info:
        hubcompat.Module(hubcompat.load_module_spec(path))
    assert "Variable map contains duplicate offset 0 for variable [embeddings]" in str(info.value)
    _names_the_module_and_the_next_step(info.value, path)


def test_a_variable_both_single_and_partitioned_is_refused(tmp_path):
    def module_fn():
        ids = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
        single = tf.compat.v1.get_variable("scale", [2])
        with tf.compat.v1.variable_scope("scale"):  # partitions named scale/part_<i>
            parts = tf.compat.v1.get_variable(
                "table", [4, 2], partitioner=tf.compat.v1.fixed_size_partitioner(2))
        hubcompat.add_signature(inputs=ids,
                                outputs=tf.nn.embedding_lookup(parts, ids) * single)

    path = export(tmp_path, module_fn)

    def edit(var_def):  # scale/table/part_<i> become scale/part_<i> of "scale"
        if var_def.save_slice_info_def.full_name:
            var_def.save_slice_info_def.full_name = "scale"
        for field in ("variable_name", "initializer_name", "snapshot_name", "initial_value_name"):
            setattr(var_def, field, getattr(var_def, field).replace("scale/table/part_", "scale/part_"))

    _edit_slice_infos(path, edit)

    def rename(proto):
        for meta_graph in proto.meta_graphs:
            for node in meta_graph.graph_def.node:
                node.name = node.name.replace("scale/table/part_", "scale/part_")
                for i, name in enumerate(node.input):
                    node.input[i] = name.replace("scale/table/part_", "scale/part_")
                colocation = node.attr["_class"].list.s if "_class" in node.attr else []
                for i, name in enumerate(colocation):
                    colocation[i] = name.replace(b"scale/table/part_", b"scale/part_")

    edit_saved_model(path, rename)

    def add_saver_def(proto):
        # As TF1's SavedModel builder wrote (hub.Module's export does not): with a
        # SaverDef, importing the graph does not build a Saver over its variables,
        # which would refuse the two "scale"s before hub.Module groups the partitions.
        for meta_graph in proto.meta_graphs:
            meta_graph.saver_def.filename_tensor_name = "save/Const:0"
            meta_graph.saver_def.save_tensor_name = "save/Identity:0"
            meta_graph.saver_def.restore_op_name = "save/restore_all"
            meta_graph.saver_def.version = tf.compat.v1.train.SaverDef.V2

    edit_saved_model(path, add_saver_def)
    with tf.Graph().as_default(), pytest.raises(errors.UnsupportedGraphError) as info:
        hubcompat.Module(hubcompat.load_module_spec(path))
    assert "Variable scale exists both as a single and partitioned variable" in str(info.value)


# --- hubcompat/legacy/feature_columns.py ----------------------------------------------


def test_config_of_a_column_built_from_a_spec_object_is_refused(tmp_path):
    def module_fn():
        text = tf.compat.v1.placeholder(tf.string, [None], name="text")
        hubcompat.add_signature(inputs=text, outputs=tf.ones([tf.shape(text)[0], 2]))

    spec = hubcompat.create_module_spec(module_fn)
    column = hubcompat.text_embedding_column("text", spec)
    with pytest.raises(errors.UnsupportedGraphError) as info:
        column.get_config()
    assert "Only a column built from a string module handle has a config; got ModuleSpec" \
        in str(info.value)

