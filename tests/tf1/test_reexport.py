"""Re-exporting a loaded TF1 module as a TF2 reusable SavedModel.

The exported folder is loaded by plain ``tf.saved_model.load`` in an
interpreter that cannot import hubcompat, after the original module is gone.
"""

from __future__ import annotations

import shutil

import numpy as np
import tensorflow as tf

import hubcompat

from tests.support import tf1_session
from tests.support.paths import GENUINE, genuine
from tests.support.processes import run_python

ATOL = 1e-5


def test_reexported_mlp_bn_calls_finetunes_and_regularizes(tmp_path, genuine_copy):
    source = genuine_copy("mlp_bn")
    export = tmp_path / "export"
    tf.saved_model.save(hubcompat.load(source), str(export))
    x = np.load(GENUINE / "mlp_bn.reference.npz")["input/x"]
    expected_train = tf1_session.run(source, ("train",), "default", {"x": x}, run_update_ops=True)
    shutil.rmtree(source)
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        ref = np.load({str(GENUINE / "mlp_bn.reference.npz")!r})
        obj = tf.saved_model.load("export")
        out = obj(ref["input/x"], training=False)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(obj(ref["input/x"], training=True))
        grads = tape.gradient(loss, obj.trainable_variables)
        moving = {{v.name: v.numpy().tolist() for v in obj.variables if "moving" in v.name}}
        print(json.dumps({{
            "infer": float(np.abs(out.numpy() - ref["infer/default/default"]).max()),
            "n_vars": len(obj.variables),
            "trainable": sorted(v.name for v in obj.trainable_variables),
            "grads_none": sum(g is None for g in grads),
            "reg": [float(f()) for f in obj.regularization_losses],
            "reg_ref": float(ref["regularization_loss"]),
            "moving": moving,
        }}))
    """, cwd=tmp_path, with_hubcompat=False)
    assert result["infer"] < ATOL
    assert result["n_vars"] == 8 and len(result["trainable"]) == 6
    assert result["grads_none"] == 0
    np.testing.assert_allclose(sum(result["reg"]), result["reg_ref"], atol=ATOL)
    after = expected_train["variables_after"]
    np.testing.assert_allclose(result["moving"]["bn/moving_mean:0"], after["bn/moving_mean"], atol=ATOL)


def test_reexported_text_embed_carries_its_table_and_asset(tmp_path, genuine_copy):
    source = genuine_copy("text_embed")
    export = tmp_path / "export"
    tf.saved_model.save(hubcompat.load(source), str(export))
    shutil.rmtree(source)
    moved = tmp_path / "moved"
    shutil.move(export, moved)
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        ref = np.load({str(GENUINE / "text_embed.reference.npz")!r})
        obj = tf.saved_model.load("moved")
        out = obj(ref["input/sentences"])
        print(json.dumps({{"infer": float(np.abs(out.numpy() - ref["infer/default/default"]).max())}}))
    """, cwd=tmp_path, with_hubcompat=False)
    assert result["infer"] < ATOL


def test_fine_tuned_weights_are_what_gets_exported(tmp_path):
    module = hubcompat.load(genuine("upstream/hub_module_v1_mini"))
    assert module.variables == []
    x = np.load(GENUINE / "mlp_bn.reference.npz")["input/x"]
    module = hubcompat.load(genuine("mlp_bn"))
    optimizer = tf.keras.optimizers.SGD(0.1)
    for _ in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(module(x)))
        optimizer.apply_gradients(zip(tape.gradient(loss, module.trainable_variables),
                                      module.trainable_variables))
    expected = module(x).numpy()
    tf.saved_model.save(module, str(tmp_path / "tuned"))
    reloaded = tf.saved_model.load(str(tmp_path / "tuned"))
    np.testing.assert_allclose(reloaded(x, training=False), expected, atol=ATOL)
    assert not np.allclose(expected, np.load(GENUINE / "mlp_bn.reference.npz")["infer/default/default"])
