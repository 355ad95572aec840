"""The hub016 cell (``nox -s hub016``): what ``hubcompat.convert`` writes is a plain TF2
SavedModel that tensorflow_hub 0.16.1 loads, in an interpreter that cannot import hubcompat.

- ``hub.load`` of every converted TF1 fixture computes, signature by signature,
  what TF1 computed (fixtures/tf1_modules/NAME.reference.npz);
- ``hub.KerasLayer(converted, trainable=True)`` fine-tunes the converted mlp_bn
  in tf-keras: its batch-norm statistics move as TF1's update ops moved them.

Skipped anywhere tensorflow_hub 0.16 is not installed.
"""

from __future__ import annotations

import json

import pytest

import hubcompat

from tests.support.paths import FIXTURES
from tests.support.processes import run_python

hub = pytest.importorskip("tensorflow_hub")
if not hub.__version__.startswith("0.16"):
    pytest.skip(f"needs tensorflow_hub 0.16, found {hub.__version__}", allow_module_level=True)

pytestmark = pytest.mark.heavy
ATOL = 1e-5
CATALOG = {f["name"]: f for f in json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]
           if f["format"] in ("tf1_hub", "tf1_saved_model")}


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("converted")
    done = {}

    def get(name):
        if name not in done:
            done[name] = root / name
            hubcompat.convert(str(FIXTURES / name), str(done[name]))
        return done[name]

    return get


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_hub_load_computes_what_tf1_computed(name, converted, tmp_path):
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        import tensorflow_hub as hub

        ref = dict(np.load({str(FIXTURES / CATALOG[name]["reference"])!r}))
        obj = hub.load({str(converted(name))!r})
        diffs = {{}}
        for sig, fn in obj.signatures.items():
            outputs = sorted(k[len(f"infer/{{sig}}/"):] for k in ref
                             if k.startswith(f"infer/{{sig}}/") and not k.endswith("vocab_file"))
            if not outputs:
                continue
            kwargs = {{}}
            for key, spec in fn.structured_input_signature[1].items():
                kwargs[key] = tf.constant(ref[f"input/{{sig}}/{{key}}".replace("_dense_shape", "/dense_shape")
                                          .replace("_indices", "/indices").replace("_values", "/values")],
                                          dtype=spec.dtype)
            got = fn(**kwargs)
            for out in outputs:
                base, _, part = out.rpartition("/")
                value = got[out] if out in got else got[base]
                if isinstance(value, tf.SparseTensor):
                    value = getattr(value, part)
                value = value.numpy()
                expected = ref[f"infer/{{sig}}/{{out}}"]
                if expected.dtype.kind in "fc":
                    diffs[f"{{sig}}/{{out}}"] = float(np.abs(value - expected).max())
                else:
                    diffs[f"{{sig}}/{{out}}"] = 0.0 if np.array_equal(value, expected) else 1.0
        print(json.dumps(diffs))
    """, cwd=tmp_path, with_hubcompat=False)
    expected_outputs = {k[len("infer/"):] for k in CATALOG[name]["reference_keys"]
                        if k.startswith("infer/") and not k.endswith("vocab_file")}
    assert set(result) >= expected_outputs
    assert max(result.values()) < ATOL, result


def test_hub_keras_layer_fine_tunes_converted_mlp_bn(converted, tmp_path):
    ref_path = FIXTURES / CATALOG["mlp_bn"]["reference"]
    result = run_python(f"""
        import json
        import numpy as np
        import tensorflow as tf
        import tensorflow_hub as hub

        ref = np.load({str(ref_path)!r})
        x = ref["input/default/x"]
        layer = hub.KerasLayer({str(converted("mlp_bn"))!r}, trainable=True)
        model = tf.keras.Sequential([tf.keras.Input(shape=x.shape[1:]), layer])
        infer = float(np.abs(model(x, training=False).numpy() - ref["infer/default/default"]).max())
        model.compile(optimizer=tf.keras.optimizers.SGD(0.01), loss="mse")
        before = [w.numpy().copy() for w in layer.trainable_weights]
        model.fit(x, np.zeros_like(ref["infer/default/default"]), batch_size=len(x), epochs=1, verbose=0)
        moving = {{w.name.split(":")[0]: w.numpy() for w in layer.weights
                   if "moving" in w.name}}
        print(json.dumps({{
            "infer": infer,
            "n_trainable": len(layer.trainable_weights),
            "n_weights": len(layer.weights),
            "changed": sum(not np.allclose(b, w.numpy()) for b, w in zip(before, layer.trainable_weights)),
            "reg_losses": len(model.losses),
            "moving_mean": float(np.abs(moving["bn/moving_mean"] - ref["update/bn/moving_mean"]).max()),
            "moving_variance": float(np.abs(moving["bn/moving_variance"]
                                            - ref["update/bn/moving_variance"]).max()),
        }}))
    """, cwd=tmp_path, with_hubcompat=False, env={"TF_USE_LEGACY_KERAS": "1"})
    assert result["infer"] < ATOL
    assert result["n_trainable"] == 6 and result["n_weights"] == 8
    assert result["changed"] == 6
    assert result["reg_losses"] == 1
    assert result["moving_mean"] < ATOL and result["moving_variance"] < ATOL
