"""hubcompat's own calls log nothing: no TensorFlow warning, C++ log line or deprecation.

Issue 21: loading an inception-like module printed 178 ``graph_constructor.cc ...
Importing a graph with a lower producer version`` lines (the graph, then one per
regularization loss); ``tf.function(lambda x: m(x))``, ``tf.saved_model.save(m)``
and ``convert`` printed "AutoGraph could not transform ImportedGraph._prune_signature
... Please report this to the TensorFlow team"; ``hub.add_signature`` printed
"build_tensor_info is deprecated".

The fixtures are written by today's TensorFlow; real Hub modules by TF 1.x. So each
TF1 fixture is checked as a copy whose graphs say they were written at producer
version 27 (TF 1.12's), as the modules on tfhub.dev do.
"""

from __future__ import annotations

import json
import logging
import shutil

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

import hubcompat

from tests.support.modules import edit_saved_model
from tests.support.paths import FIXTURES
from tests.support.processes import run_python_as_user

OLD_PRODUCER = 27  # the GraphDef version TF 1.12 wrote


def _old_producer(proto: saved_model_pb2.SavedModel) -> None:
    for meta_graph in proto.meta_graphs:
        meta_graph.graph_def.versions.producer = OLD_PRODUCER


def _module_fn():
    x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    w = tf.compat.v1.get_variable("w", initializer=[[1.0], [2.0]])
    hubcompat.add_signature(inputs={"x": x}, outputs=tf.matmul(x, w))


def test_calling_saving_and_building_modules_logs_no_tensorflow_warning(tmp_path, caplog):
    """The Python-logged part, in this process (the C++ lines need a fresh one, below)."""
    module = tmp_path / "mlp_bn"
    shutil.copytree(FIXTURES / "mlp_bn", module)
    edit_saved_model(module, _old_producer)
    reference = np.load(FIXTURES / "mlp_bn.reference.npz")
    x = reference["input/default/x"]
    with caplog.at_level(logging.WARNING):  # what TensorFlow's logger shows by default
        m = hubcompat.load(str(module))
        via_tf_function = tf.function(lambda x: m(x))(tf.constant(x))
        m(x, training=True)
        losses = [loss() for loss in m.regularization_losses]
        tf.saved_model.save(m, str(tmp_path / "exported"))
        legacy = hubcompat.Module(str(module))  # hub.Module, eagerly
        via_legacy = tf.function(lambda x: legacy(x))(tf.constant(x))
        spec = hubcompat.create_module_spec(_module_fn)
    assert [r.getMessage() for r in caplog.records
            if r.name.startswith("tensorflow") and r.levelno >= logging.WARNING] == []
    # What TF1 computed (the fixture's Session-recorded reference).
    np.testing.assert_allclose(via_tf_function, reference["infer/default/default"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(via_legacy, reference["infer/default/default"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tf.add_n(losses), reference["regularization_loss"], rtol=1e-5)
    assert spec.get_signature_names() == ["default"]


# Runs in a fresh interpreter: loads, calls (every signature, tf.function, Keras,
# training), re-exports and converts each fixture; its stderr after START must be empty.
QUIET_PROGRAM = """
import json, os, shutil, sys, tempfile
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
import hubcompat
from hubcompat.example_inputs import example_inputs, image_size_of, input_specs

def module_fn():
    x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    w = tf.compat.v1.get_variable("w", initializer=[[1.0], [2.0]])
    hubcompat.add_signature(inputs={{"x": x}}, outputs=tf.matmul(x, w))

tf.constant(1.0) + 1.0  # TensorFlow's own start-up lines (devices, CPU features) come first
tmp = tempfile.mkdtemp()
print("START", file=sys.stderr, flush=True)
results = {{}}
for name, fmt in {fixtures!r}:
    path = os.path.join(tmp, name)
    shutil.copytree(os.path.join({folder!r}, name), path)
    if fmt != "tf2_saved_model":  # TF2 SavedModels are written by TF2
        pb = os.path.join(path, "saved_model.pb")
        proto = saved_model_pb2.SavedModel()
        with open(pb, "rb") as f:
            proto.ParseFromString(f.read())
        for meta_graph in proto.meta_graphs:
            meta_graph.graph_def.versions.producer = {producer}
        with open(pb, "wb") as f:
            f.write(proto.SerializeToString())
    checks = hubcompat.run_checks(path)  # every signature, Keras, re-export, training
    results[name] = [c.line() for c in checks]
    if fmt == "tf1_hub":
        m = hubcompat.load(path)
        names = m.get_signature_names()
        sig = "default" if "default" in names else names[-1]
        x = example_inputs(input_specs(m, sig), image_size=image_size_of(m))
        # A code object of its own per module (the name is one of its constants):
        # TensorFlow counts traces per code object and would warn of retracing at
        # the fifth module ("5 out of the last 5 calls"), as for any user's loop.
        call = eval(f"lambda x: {{name!r}} and m(x, signature=sig, as_dict=True)",
                    {{"m": m, "sig": sig}})
        tf.function(call)(x)
        tf.saved_model.save(m, os.path.join(tmp, name + "_saved"))
        hubcompat.convert(path, os.path.join(tmp, name + "_converted"))
hubcompat.create_module_spec(module_fn)  # hub.add_signature
print(json.dumps(results))
"""


def _catalog() -> list[tuple[str, str]]:
    catalog = json.loads((FIXTURES / "catalog.json").read_text())
    return [(f["folder"], f["format"]) for f in catalog["fixtures"]]


@pytest.mark.heavy  # a fresh interpreter, every fixture x load/call/Keras/export/convert
def test_every_fixture_loads_calls_saves_and_converts_without_a_log_line():
    fixtures = _catalog()
    proc = run_python_as_user(QUIET_PROGRAM.format(
        fixtures=fixtures, folder=str(FIXTURES), producer=OLD_PRODUCER))
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "START" in proc.stderr, proc.stderr[-4000:]
    logged = [line for line in proc.stderr.split("START", 1)[1].splitlines() if line.strip()]
    assert logged == [], "\n".join(logged[:40])
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sorted(results) == sorted(name for name, _ in fixtures)
    failed = [line for lines in results.values() for line in lines if line.startswith("FAIL")]
    assert failed == []  # every path above really ran
