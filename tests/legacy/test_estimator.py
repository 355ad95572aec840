"""Estimators with hub modules on TF <= 2.15, where tf.estimator still exists.

The programs of tests/genuine_parity/estimator_programs.py (hub.KerasLayer in a
model_fn with a TF1 module and a TF2 SavedModel, trained and exported; text and
image feature columns in DNNClassifier / LinearClassifier; hub.LatestModuleExporter
with register_module_for_export) compute, with hubcompat, the numbers genuine
tensorflow_hub 0.15 computed (estimator_genuine.json). Run in the TF 2.13 and 2.15
cells (``nox -s "tests(tf='2.15')" -- tests/legacy/test_estimator.py``); on TF >= 2.16
hubcompat raises EstimatorUnavailableError instead (tests/legacy/test_legacy_api.py).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys

import pytest

from hubcompat._tf_private import estimator_module

from tests.support.paths import GENUINE_PARITY, LEGACY_PYTHON, REPO

if estimator_module() is None:
    pytest.skip("tf.estimator was removed in TensorFlow 2.16: hubcompat raises "
                "EstimatorUnavailableError there; run the tests(tf='2.13') / tests(tf='2.15') "
                "nox cells", allow_module_level=True)

sys.path.insert(0, str(GENUINE_PARITY))
import estimator_programs

import hubcompat

pytestmark = pytest.mark.heavy
ATOL = 1e-4  # a few optimizer steps on recorded TF 2.15.1 numbers

with open(estimator_programs.RECORD, encoding="utf-8") as _f:
    _RECORDS = json.load(_f)
if estimator_programs.tf_release() not in _RECORDS:
    pytest.skip(f"no genuine tensorflow_hub record for TF {estimator_programs.tf_release()} "
                f"(recorded: {', '.join(sorted(_RECORDS))}): run estimator_programs.py --write "
                "with genuine tensorflow_hub 0.15 on it", allow_module_level=True)
GENUINE = _RECORDS[estimator_programs.tf_release()]["programs"]


def _close(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, abs_tol=ATOL)
    return a == b


@pytest.mark.parametrize("program", [p.__name__ for p in estimator_programs.PROGRAMS])
def test_estimator_program_computes_what_genuine_tensorflow_hub_did(program):
    result = json.loads(json.dumps(estimator_programs.run(program, hubcompat)))
    expected = GENUINE[program]
    assert sorted(result) == sorted(expected)
    for key in expected:
        assert _close(result[key], expected[key]), (key, result[key], expected[key])


def test_register_module_for_export_names_are_unique():
    import tensorflow as tf

    with tf.Graph().as_default():
        module = hubcompat.Module(str(REPO / "fixtures" / "tf1_modules" / "mlp_bn"))
        hubcompat.register_module_for_export(module, "mlp")
        with pytest.raises(ValueError, match="already a module registered to be exported as"):
            hubcompat.register_module_for_export(module, "mlp")
    with pytest.raises(ValueError, match="must be a positive number"):
        hubcompat.LatestModuleExporter("tf_hub", lambda: None, exports_to_keep=0)


def test_record_is_what_genuine_tensorflow_hub_computes():
    if not shutil.which(LEGACY_PYTHON):
        pytest.skip("needs genuine tensorflow_hub 0.15: set HUBCOMPAT_LEGACY_PYTHON")
    release = subprocess.run([LEGACY_PYTHON, "-c", "import tensorflow as tf; print(tf.__version__)"],
                             capture_output=True, text=True).stdout.strip().rsplit(".", 1)[0]
    if release != estimator_programs.tf_release():
        pytest.skip(f"HUBCOMPAT_LEGACY_PYTHON has TF {release}, this cell TF "
                    f"{estimator_programs.tf_release()}")
    proc = subprocess.run(
        [LEGACY_PYTHON, str(GENUINE_PARITY / "estimator_programs.py")],
        capture_output=True, text=True, timeout=1200,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr[-4000:]
    fresh = json.loads(proc.stdout.strip().splitlines()[-1])
    for program, expected in GENUINE.items():
        for key in expected:
            assert _close(fresh[program][key], expected[key]), (program, key)
