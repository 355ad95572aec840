"""TF1ModuleAdapter's public read-only attributes (inspect and the legacy API use them).

Variable names and values are compared with what a tf.compat.v1 Session
restores from the same module (tests/support/tf1_session.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import hubcompat
from hubcompat.tf1.module_reader import VariableDescription

from tests.support import tf1_session
from tests.support.paths import FIXTURES


@pytest.fixture(scope="module")
def tf1_mlp_bn():
    reference = np.load(FIXTURES / "mlp_bn.reference.npz")
    return tf1_session.run(FIXTURES / "mlp_bn", inputs={"x": reference["input/default/x"]})


def test_train_tags():
    assert hubcompat.load(str(FIXTURES / "mlp_bn")).train_tags == frozenset({"train"})
    assert hubcompat.load(str(FIXTURES / "mlp_bn"), tags={"train"}).train_tags is None
    assert hubcompat.load(str(FIXTURES / "text_embed")).train_tags is None


def test_variables_by_name_hold_what_tf1_restores(tf1_mlp_bn):
    module = hubcompat.load(str(FIXTURES / "mlp_bn"))
    by_name = module.variables_by_name
    assert sorted(by_name) == sorted(tf1_mlp_bn["variables_after"])
    for name, value in tf1_mlp_bn["variables_after"].items():
        np.testing.assert_array_equal(by_name[name].numpy(), value, err_msg=name)
    assert [by_name[d.name] for d in module.variable_descriptions] == module.variables


def test_variable_descriptions_of_a_partitioned_variable():
    module = hubcompat.load(str(FIXTURES / "text_embed"))
    tf1 = tf1_session.run(FIXTURES / "text_embed", inputs={"default": np.array([b"a"])})
    descriptions = module.variable_descriptions
    assert all(isinstance(d, VariableDescription) for d in descriptions)
    assert sorted(d.name for d in descriptions) == sorted(tf1["variables_after"])
    parts = [d for d in descriptions if d.checkpoint_key == "embeddings"]
    # 11 x 6 in 3 partitions, as the checkpoint's slices of "embeddings"
    assert [(d.slice_offset, d.shape.as_list()) for d in parts] == [
        ((0, 0), [4, 6]), ((4, 0), [4, 6]), ((8, 0), [3, 6])]
    descriptions.clear()  # a copy: the module's own list is untouched
    assert len(module.variable_descriptions) == 3


def test_restore_checkpoint_undoes_the_update_ops(tf1_mlp_bn):
    module = hubcompat.load(str(FIXTURES / "mlp_bn"))
    reference = np.load(FIXTURES / "mlp_bn.reference.npz")
    moving_mean = module.variables_by_name["bn/moving_mean"]
    module(reference["input/default/x"], training=True)
    np.testing.assert_allclose(moving_mean.numpy(), reference["update/bn/moving_mean"],
                               rtol=1e-5, atol=1e-6)
    module.restore_checkpoint()
    np.testing.assert_array_equal(moving_mean.numpy(),
                                  tf1_mlp_bn["variables_after"]["bn/moving_mean"])
