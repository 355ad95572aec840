"""Issue 20: a TF1-era program, migrated by ``hubcompat-migrate`` alone, runs on today's TF.

The programs in ``tf1_programs/`` are written as the 2019 tutorials were
(``hub.Module`` in a ``tf.Session`` with placeholders, a Keras ``Lambda``
around ``hub.Module``, ``tf.contrib.slim`` and ``tf.layers`` heads, a
``text_embedding_column`` Estimator). Migrated with the default target, each
runnable one runs in a fresh interpreter on this venv's TensorFlow (Keras 3
installed, ``TF_USE_LEGACY_KERAS`` *not* set by the test: the migrated code
sets it) and what it computes is compared with what a TF1 Session computed
(``fixtures/tf1_modules/text_embed.reference.npz``). The Estimator program is
named in the report with its way out, never silently left.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubcompat.migrate.__main__ import main

from tests.support.numerics import ACROSS_MACHINES, assert_close
from tests.support.paths import FIXTURES, REPO

PROGRAMS = Path(__file__).parent / "tf1_programs"
RUNNABLE = ["keras_lambda", "session_embed", "slim_head"]
pytestmark = pytest.mark.heavy

DRIVER = r"""
import importlib.util, json, sys
import numpy as np

program, module_path, ref_path = sys.argv[1:4]
ref = dict(np.load(ref_path))
spec = importlib.util.spec_from_file_location("program", program)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
out = module.run(module_path, ref)
print(json.dumps({k: [np.asarray(v, "float64").tolist() for v in pair] for k, pair in out.items()}))
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    tree = tmp_path_factory.mktemp("tf1") / "programs"
    shutil.copytree(PROGRAMS, tree)
    report = tree.parent / "report.json"
    assert main([str(tree), "-q", "--no-config", "--report", str(report)]) == 0
    assert main([str(tree), "-q", "--no-config", "--check"]) == 0  # a second run: nothing
    return tree, json.loads(report.read_text())


def test_estimator_program_is_named_with_its_way_out(migrated):
    _, report = migrated
    todos = {Path(f["path"]).name: [t["message"] for t in f["todos"]] for f in report["files"]}
    assert any("TensorFlow <= 2.15" in m for m in todos["estimator_columns.py"])
    assert not any(todos.get(f"{name}.py") for name in RUNNABLE)
    people = {Path(p["path"]).name for p in report["needs_a_person"]}
    assert people == {"estimator_columns.py"}
    assert report["needs"] == ["tf-keras", "tf-slim"]


@pytest.mark.parametrize("program", RUNNABLE)
def test_migrated_tf1_program_computes_what_tf1_computed(program, migrated, tmp_path):
    import numpy as np

    tree, _ = migrated
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(tree / f"{program}.py"),
         str(FIXTURES / "text_embed"), str(FIXTURES / "text_embed.reference.npz")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key, (got, expected) in result.items():
        # A stored TF1 reference, recorded on another CPU: the across-machines rule.
        assert_close(np.asarray(got), np.asarray(expected), rtol=ACROSS_MACHINES, err_msg=key)
