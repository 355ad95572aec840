"""hubcompat/tf1/module_reader.py: what ModuleReader says of a module is what TF1 saw.

Each fact (tag sets, signatures' dtypes and shapes, variables and partitions,
collections, assets, the checkpoint index) is compared with the same module
loaded into a tf.compat.v1 Session by TF's own loader (tests/support/tf1_session.py).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from hubcompat import errors  # noqa: E402
from hubcompat.tf1.module_reader import ModuleReader, read_checkpoint_index  # noqa: E402

from tests.support.paths import FIXTURES  # noqa: E402
from tests.support.tf1_session import TF1Session  # noqa: E402


@pytest.mark.parametrize("name, tags", [("mlp_bn", ()), ("mlp_bn", ("train",)), ("text_embed", ())])
def test_signatures_are_what_the_tf1_graph_has(name, tags):
    reader = ModuleReader(str(FIXTURES / name))
    oracle = TF1Session(FIXTURES / name, tags)
    assert reader.signature_names(tags) == sorted(oracle.meta_graph.signature_def)
    for signature in reader.signature_names(tags):
        inputs, outputs = oracle.signature(signature)
        for described, tensors in ((reader.input_info(tags, signature), inputs),
                                   (reader.output_info(tags, signature), outputs)):
            assert sorted(described) == sorted(tensors)
            for key, tensor in tensors.items():
                assert described[key].dtype == tensor.dtype, (signature, key)
                assert described[key].shape.as_list() == tensor.shape.as_list(), (signature, key)
                assert described[key].is_sparse == isinstance(tensor, tf.SparseTensor)


def test_tag_sets_default_and_train_tags():
    reader = ModuleReader(str(FIXTURES / "mlp_bn"))
    assert sorted(map(sorted, reader.tag_sets)) == [[], ["train"]]
    assert reader.default_tags == frozenset()
    assert reader.train_tags(()) == frozenset({"train"})
    assert reader.train_tags({"train"}) is None
    assert ModuleReader(str(FIXTURES / "text_embed")).train_tags(()) is None
    with pytest.raises(errors.SignatureError, match="no graph for tags {'serve'}.*set\\(\\), {'train'}"):
        reader.meta_graph({"serve"})
    with pytest.raises(errors.SignatureError, match="no signature 'missing'; it has: default, double"):
        reader.signature_def((), "missing")


@pytest.mark.parametrize("name, tags", [("mlp_bn", ("train",)), ("text_embed", ()), ("ref_vars", ())])
def test_variables_are_the_tf1_graphs_with_their_checkpoint_keys(name, tags):
    reader = ModuleReader(str(FIXTURES / name))
    oracle = TF1Session(FIXTURES / name, tags)
    with oracle.graph.as_default():
        tf1_variables = {v.op.name: v for v in tf.compat.v1.global_variables()}
        tf1_trainable = {v.op.name for v in tf.compat.v1.trainable_variables()}
        values = dict(zip(tf1_variables, oracle.run(list(tf1_variables.values()), {}), strict=True))
    descriptions = reader.variables(tags)
    assert [d.name for d in descriptions] == list(tf1_variables)
    assert reader.trainable_variable_names(tags) == tf1_trainable
    checkpoint = tf.train.load_checkpoint(reader.checkpoint_prefix)
    for desc in descriptions:
        variable = tf1_variables[desc.name]
        assert desc.dtype == variable.dtype.base_dtype and desc.shape == variable.shape
        assert desc.is_resource == (variable.op.type == "VarHandleOp")
        stored = checkpoint.get_tensor(desc.checkpoint_key)
        if desc.slice_offset is None:
            np.testing.assert_array_equal(stored, values[desc.name])
        else:  # a partition: its rows of the stored variable
            start, rows = desc.slice_offset[0], desc.shape[0]
            assert desc.full_shape == stored.shape
            np.testing.assert_array_equal(stored[start:start + rows], values[desc.name])


def test_partition_shape_and_slice_is_tensorflows_tensor_slice_syntax():
    reader = ModuleReader(str(FIXTURES / "text_embed"))
    parts = [d for d in reader.variables(()) if d.slice_offset is not None]
    assert [d.shape_and_slice for d in parts] == ["11 6 0,4:0,6", "11 6 4,4:0,6", "11 6 8,3:0,6"]
    restored = tf.raw_ops.RestoreV2(prefix=reader.checkpoint_prefix,
                                    tensor_names=[d.checkpoint_key for d in parts],
                                    shape_and_slices=[d.shape_and_slice for d in parts],
                                    dtypes=[d.dtype for d in parts])
    whole = tf.train.load_checkpoint(reader.checkpoint_prefix).get_tensor("embeddings")
    np.testing.assert_array_equal(np.concatenate([t.numpy() for t in restored]), whole)


def test_collections_and_assets_are_the_tf1_graphs():
    reader = ModuleReader(str(FIXTURES / "mlp_bn"))
    oracle = TF1Session(FIXTURES / "mlp_bn", ("train",))
    with oracle.graph.as_default():
        update_ops = [op.name for op in tf.compat.v1.get_collection("update_ops")]
        losses = [t.name for t in tf.compat.v1.get_collection("regularization_losses")]
    assert [n.split(":")[0] for n in reader.node_names({"train"}, "update_ops")] == update_ops
    assert reader.node_names({"train"}, "regularization_losses") == losses
    assert reader.node_names((), "update_ops") == []

    text = ModuleReader(str(FIXTURES / "text_embed"))
    text_oracle = TF1Session(FIXTURES / "text_embed")
    fed = {tensor.name: path for tensor, path in text_oracle.feed.items()}
    assert text.asset_files(()) == fed
    assert all(os.path.isfile(path) for path in fed.values())


def test_checkpoint_index_shapes_dtypes_and_sizes():
    reader = ModuleReader(str(FIXTURES / "mlp_bn"))
    index = read_checkpoint_index(reader.checkpoint_prefix)
    checkpoint = tf.train.load_checkpoint(reader.checkpoint_prefix)
    assert index.shapes == {k: tuple(v) for k, v in checkpoint.get_variable_to_shape_map().items()}
    assert index.dtypes == checkpoint.get_variable_to_dtype_map()
    assert index.nbytes("fc1/weights") == checkpoint.get_tensor("fc1/weights").nbytes
    assert [os.path.basename(f) for f in index.data_files] == ["variables.data-00000-of-00001"]
    assert reader.checked_checkpoint(reader.variables(())) == index


def test_a_folder_without_saved_model_pb_names_the_folder(tmp_path):
    with pytest.raises(errors.MissingSavedModelError) as info:
        ModuleReader(str(tmp_path))
    assert repr(str(tmp_path)) in str(info.value) and "Fetch the module again" in str(info.value)
