"""The adapter in TF1 graph mode: Sessions, initializers, placeholders.

``disable_eager_execution`` is process-wide, so each case runs in its own
interpreter; the TF1 reference is the genuine hub.Module's recorded output.
"""

from __future__ import annotations

from tests.support.paths import GENUINE, genuine
from tests.support.processes import run_python


def test_session_code_gets_pretrained_values_and_tables(genuine_copy):
    text_embed = genuine_copy("text_embed")
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        import hubcompat
        tf.compat.v1.disable_eager_execution()
        mlp = hubcompat.load({str(genuine("mlp_bn"))!r})
        text = hubcompat.load({str(text_embed)!r})
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        sentences = tf.compat.v1.placeholder(tf.string, [None])
        y, hidden = mlp(x), mlp({{"x": x}}, as_dict=True)["hidden"]
        y_train = mlp(x, training=True)
        emb = text(sentences)
        ref_mlp = np.load({str(GENUINE / "mlp_bn.reference.npz")!r})
        ref_text = np.load({str(GENUINE / "text_embed.reference.npz")!r})
        with tf.compat.v1.Session() as session:
            session.run([tf.compat.v1.global_variables_initializer(),
                         tf.compat.v1.tables_initializer()])
            out, out_hidden, out_emb = session.run(
                [y, hidden, emb],
                {{x: ref_mlp["input/x"], sentences: ref_text["input/sentences"]}})
            moving = [v for v in tf.compat.v1.global_variables() if "moving_mean" in v.name][0]
            before = session.run(moving)
            session.run(y_train, {{x: ref_mlp["input/x"]}})
            after = session.run(moving)
        print(json.dumps({{
            "mlp": float(np.abs(out - ref_mlp["infer/default/default"]).max()),
            "hidden": float(np.abs(out_hidden - ref_mlp["infer/default/hidden"]).max()),
            "text": float(np.abs(out_emb - ref_text["infer/default/default"]).max()),
            "moving_mean_changed": bool(np.abs(after - before).max() > 0),
        }}))
    """)
    assert result["mlp"] < 1e-5 and result["hidden"] < 1e-5 and result["text"] < 1e-5
    assert result["moving_mean_changed"], "training=True runs the update ops in graph mode too"


def test_graph_mode_gradients_via_tf_gradients():
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        import hubcompat
        tf.compat.v1.disable_eager_execution()
        module = hubcompat.load({str(genuine("mlp_bn"))!r})
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        loss = tf.reduce_sum(module(x))
        grads = tf.gradients(loss, module.trainable_variables)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            values = session.run(grads, {{x: np.ones((2, 4), np.float32)}})
        print(json.dumps({{"none": sum(v is None for v in values), "n": len(values)}}))
    """)
    assert result == {"none": 0, "n": 6}
