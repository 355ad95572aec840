"""hubcompat.tf1.hub_format: the TF1 Hub format facts, checked against real files and TF.

The module must import without TensorFlow; its bytes must be those of modules
tensorflow_hub wrote (the genuine exports in ../shared/genuine_tf1 when present,
and the fixtures, written by an independent writer); its state-op sets must
agree with TensorFlow's op registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from hubcompat import errors, formats
from hubcompat.tf1 import hub_format

from tests.support.paths import FIXTURES, GENUINE, REPO

sys.path.insert(0, str(FIXTURES))
import hub_format as oracle  # the fixtures' independent writer (FIXTURES, on sys.path)


def test_imports_without_tensorflow():
    script = textwrap.dedent("""
        import importlib.abc, sys

        class NoTensorFlow(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("tensorflow", "keras", "tf_keras", "numpy"):
                    raise ImportError(f"{name} must not be imported")

        sys.meta_path.insert(0, NoTensorFlow())
        from hubcompat import formats
        from hubcompat.tf1 import hub_format
        assert hub_format.parse_module_def(hub_format.MODULE_DEF_V3_BYTES) == (3, [])
        print(sorted(m for m in sys.modules if m.startswith("hubcompat")))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "'hubcompat.tf1.hub_format'" in proc.stdout


def _module_def_files():
    folders = [FIXTURES / name for name in ("mlp_bn", "text_embed", "image_classifier")]
    folders += [GENUINE / name for name in ("mlp_bn", "text_embed") if (GENUINE / name).exists()]
    return [folder / hub_format.MODULE_DEF_FILENAME for folder in folders]


@pytest.mark.parametrize("filename", _module_def_files(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_module_def_bytes_are_what_tensorflow_hub_wrote(filename):
    assert filename.read_bytes() == hub_format.MODULE_DEF_V3_BYTES == oracle.MODULE_DEF_BYTES
    assert formats.read_module_def(str(filename)) == (hub_format.MODULE_DEF_FORMAT_V3, [])


def test_module_def_with_a_required_feature_is_refused(tmp_path):
    # ModuleDef { format: 3, required_features: ["new_feature"] }
    data = hub_format.MODULE_DEF_V3_BYTES + b"\x12\x0bnew_feature"
    assert hub_format.parse_module_def(data) == (3, ["new_feature"])
    (tmp_path / hub_format.MODULE_DEF_FILENAME).write_bytes(data)
    with pytest.raises(errors.UnsupportedModuleFormatError, match="new_feature"):
        formats.read_module_def(str(tmp_path / hub_format.MODULE_DEF_FILENAME))


@pytest.mark.parametrize("key, value", [
    ("image_module_info", oracle.image_module_info(224, 192)),
    ("empty", b""),
    ("long_value", bytes(range(256)) * 3),  # a length that takes a two-byte varint
])
def test_attachment_encoding_matches_the_independent_writer(key, value):
    raw = hub_format.encode_attachment(key, value)
    assert raw == oracle.module_attachment(key, value)
    assert hub_format.parse_attachment(raw) == (key, value)


def test_attachments_read_back_from_a_written_module():
    from tensorflow.core.protobuf import saved_model_pb2

    from hubcompat.legacy.protos import ImageModuleInfo

    saved_model = saved_model_pb2.SavedModel()
    saved_model.ParseFromString((FIXTURES / "image_classifier" / "saved_model.pb").read_bytes())
    collection = saved_model.meta_graphs[0].collection_def[hub_format.ATTACHMENTS_COLLECTION]
    attachments = hub_format.parse_attachments(collection.bytes_list.value)
    info = ImageModuleInfo.FromString(attachments[hub_format.IMAGE_MODULE_INFO_KEY])
    assert info.default_image_size.height > 0 and info.default_image_size.width > 0
    # The last of two attachments with one key wins, as hub.attach_message did.
    twice = [hub_format.encode_attachment("k", b"first"), hub_format.encode_attachment("k", b"second")]
    assert hub_format.parse_attachments(twice) == {"k": b"second"}
    assert hub_format.parse_attachments(hub_format.encode_attachments({"a": b"1", "b": b"2"})) == {
        "a": b"1", "b": b"2"}


def test_state_op_kinds_follow_tensorflow_hubs_rule():
    from tensorflow.python.framework import op_def_registry

    kinds = hub_format.VARIABLE_OPS | hub_format.TABLE_OPS | hub_format.REF_TABLE_OPS
    not_state = {op for op in kinds if not hub_format.is_state_op(op_def_registry.get(op))}
    # Its empty and deleted keys are inputs; the eager rewrite treats it as a table anyway.
    assert not_state == {"MutableDenseHashTableV2"}
    assert not hub_format.is_state_op(op_def_registry.get("Placeholder"))  # not stateful
    assert not hub_format.is_state_op(op_def_registry.get("AssignVariableOp"))  # has inputs
    assert not hub_format.is_state_op(None)  # not registered


def test_state_op_types_of_a_real_graph():
    import tensorflow as tf

    from hubcompat.legacy.graph_module import state_op_types

    with tf.Graph().as_default() as graph:
        tf.compat.v1.get_variable("w", [2], use_resource=True)
        tf.compat.v1.get_variable("r", [2], use_resource=False)
        tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a"], [1]), -1)
        tf.compat.v1.placeholder(tf.float32)
    assert state_op_types(graph.as_graph_def()) == {"VarHandleOp", "VariableV2", "HashTableV2"}


def test_group_partitions_orders_parts_by_offset():
    entries = [("w", None, None, "W"), ("emb/part_1", "emb", (3, 0), "P1"),
               ("emb/part_0", "emb", (0, 0), "P0"), ("emb/part_2", "emb", [6, 0], "P2")]
    assert hub_format.group_partitions(entries) == {"w": "W", "emb": ["P0", "P1", "P2"]}


def test_group_partitions_refuses_inconsistent_maps():
    with pytest.raises(errors.UnsupportedGraphError, match="duplicate offset 0"):
        hub_format.group_partitions([("e/part_0", "e", (0,), 1), ("e/part_1", "e", (0,), 2)])
    with pytest.raises(errors.UnsupportedGraphError, match="both as a single and partitioned"):
        hub_format.group_partitions([("e", None, None, 1), ("e/part_0", "e", (0,), 2)])


def test_collection_names_are_those_of_tensorflow():
    import tensorflow as tf

    keys = tf.compat.v1.GraphKeys
    assert hub_format.ASSETS_COLLECTION == tf.compat.v1.saved_model.ASSETS_KEY
    assert hub_format.ASSET_FILEPATHS_COLLECTION == keys.ASSET_FILEPATHS
    assert hub_format.UPDATE_OPS_COLLECTION == keys.UPDATE_OPS
    assert hub_format.REGULARIZATION_LOSSES_COLLECTION == keys.REGULARIZATION_LOSSES
    assert hub_format.TABLE_INITIALIZERS_COLLECTION == keys.TABLE_INITIALIZERS
    assert hub_format.VARIABLES_COLLECTION == keys.GLOBAL_VARIABLES
    assert hub_format.TRAINABLE_VARIABLES_COLLECTION == keys.TRAINABLE_VARIABLES
    assert hub_format.MODEL_VARIABLES_COLLECTION == keys.MODEL_VARIABLES
    assert hub_format.COND_CONTEXT_COLLECTION == keys.COND_CONTEXT
    assert hub_format.WHILE_CONTEXT_COLLECTION == keys.WHILE_CONTEXT
    assert hub_format.ATTACHMENTS_COLLECTION == oracle.ATTACHMENTS_COLLECTION
    assert hub_format.ASSET_PLACEHOLDER == oracle.ASSET_PLACEHOLDER
    assert os.path.join(*hub_format.VARIABLES_PREFIX.split("/")) == os.path.join(
        "variables", "variables")
