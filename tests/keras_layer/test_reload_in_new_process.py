"""A model saved with a ``KerasLayer`` reloads in a new process after a plain ``import hubcompat``.

Issue 21: ``keras.models.load_model`` said ``Could not locate class 'KerasLayer'``
unless the new process had touched ``hubcompat.KerasLayer`` first (the class
registered itself only when its module was imported), and a relative handle was
saved as given, so the file did not reload from another working directory.

Each case saves in one process (working directory A, a relative handle) and
reloads in another (working directory B), with Keras 3 and with tf-keras, in
every file format that Keras saves a whole model to. The embedding the reloaded
layer computes is compared with what TF1 computed for the fixture; the whole
model's output (its Dense head is random) with what the saving process computed.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.support.paths import FIXTURES
from tests.support.processes import run_python

pytestmark = pytest.mark.heavy  # two processes per case

SAVE = """
import json, os, numpy as np, tensorflow as tf, hubcompat

sentences = tf.constant({sentences!r})
model = tf.keras.Sequential([hubcompat.KerasLayer("models/text_embed"), tf.keras.layers.Dense(2)])
outputs = model(sentences).numpy()
{save}
print(json.dumps({{"outputs": outputs.tolist()}}))
"""

RELOAD = """
import json, sys
{first}
import hubcompat
no_tensorflow = "tensorflow" not in sys.modules and "keras" not in sys.modules
import tensorflow as tf
before = "hubcompat.keras_layer" in sys.modules
model = tf.keras.models.load_model({path!r})
layer = model.layers[0]
sentences = tf.constant({sentences!r})
print(json.dumps({{
    "no_tensorflow_at_import": no_tensorflow,
    "keras_layer_imported_before_load": before,
    "layer_type": type(layer).__module__ + "." + type(layer).__name__,
    "handle": layer.get_config()["handle"],
    "embedding": layer(sentences).numpy().tolist(),
    "outputs": model(sentences).numpy().tolist(),
}}))
"""

# (Keras, file format): how the saving process saves, the path the reloading one loads.
CASES = {
    ("keras3", ".keras"): ('model.save("m.keras")', "m.keras"),
    ("keras3", ".h5"): ('model.save("m.h5")', "m.h5"),
    ("tf_keras", ".keras"): ('model.save("m.keras")', "m.keras"),
    ("tf_keras", ".h5"): ('model.save("m.h5")', "m.h5"),
    ("tf_keras", "SavedModel"): ('model.save("saved_model", save_format="tf")', "saved_model"),
    # hubcompat imported after Keras: it registers with the Keras already there.
    ("keras3", "keras first"): ('model.save("m.keras")', "m.keras"),
}


@pytest.fixture(scope="module")
def reference():
    with np.load(FIXTURES / "text_embed.reference.npz") as ref:
        sentences = [s.decode() for s in ref["input/default/default"]]
        return sentences, ref["infer/default/default"]


@pytest.mark.parametrize("keras_name, fmt", list(CASES), ids=[f"{k}-{f}" for k, f in CASES])
def test_a_saved_model_reloads_in_a_new_process_from_another_folder(
        tmp_path, reference, keras_name, fmt):
    sentences, embeddings = reference
    save_code, saved = CASES[keras_name, fmt]
    env = {"TF_USE_LEGACY_KERAS": "1" if keras_name == "tf_keras" else ""}
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    shutil.copytree(FIXTURES / "text_embed", project / "models" / "text_embed")
    elsewhere.mkdir()

    saved_run = run_python(SAVE.format(sentences=sentences, save=save_code), cwd=project, env=env)
    keras_first = fmt == "keras first"
    reloaded = run_python(RELOAD.format(path=str(project / saved), sentences=sentences,
                                        first="import keras" if keras_first else ""),
                          cwd=elsewhere, env=env)

    assert reloaded["no_tensorflow_at_import"] != keras_first
    assert not reloaded["keras_layer_imported_before_load"]
    assert reloaded["layer_type"] == "hubcompat.keras_layer.KerasLayer"
    # Saved absolute: the relative handle named a folder of the saving process's cwd.
    assert reloaded["handle"] == str(project / "models" / "text_embed")
    np.testing.assert_allclose(reloaded["embedding"], embeddings, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(reloaded["outputs"], saved_run["outputs"], rtol=1e-5, atol=1e-6)
