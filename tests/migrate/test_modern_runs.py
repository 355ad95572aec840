"""``--target modern`` output runs: migrated TF1 programs compute what TF1 computed.

The programs in ``modern_programs/`` use the TF1 API eagerly (``hub.Module``
calls with dicts, ``as_dict``, other signatures, signature and image-size
queries). Migrated with ``--target modern``, each runs in a fresh interpreter
three ways, and every output is compared with what a TF1 Session computed
(``fixtures/tf1_modules/NAME.reference.npz``):

- ``hubcompat``: ``hubcompat.load`` of the TF1 Hub module itself;
- ``saved_model``: the module written by ``hubcompat.convert``, with
  ``hub.load`` being ``tf.saved_model.load`` (hubcompat not used);
- ``hub016``: the converted module loaded by tensorflow_hub 0.16.1's
  ``hub.load`` (skipped unless tensorflow_hub 0.16 is installed, as in the
  ``hub016`` nox cell).
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

from tests.support.paths import FIXTURES, REPO

PROGRAMS = Path(__file__).parent / "modern_programs"
MODULES = {
    "mlp_signatures": "mlp_bn",
    "text_embed": "text_embed",
    "multi_input": "multi_input",
    "image_classifier": "image_classifier",
}
ATOL = 1e-5
pytestmark = pytest.mark.heavy

DRIVER = r"""
import importlib.util, json, sys, types
import numpy as np

program, module_path, ref_path, mode = sys.argv[1:5]
if mode != "hubcompat":
    import tensorflow as tf
    if mode == "saved_model":
        shim = types.ModuleType("hubcompat")
        shim.load = tf.saved_model.load
    else:
        import tensorflow_hub as shim
        assert shim.__version__.startswith("0.16"), shim.__version__
    sys.modules["hubcompat"] = shim  # what `import hubcompat as hub` now gives
ref = dict(np.load(ref_path))
spec = importlib.util.spec_from_file_location("program", program)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
out = module.run(module_path, ref)
if mode != "hubcompat":
    assert "hubcompat.loader" not in sys.modules
result = {}
for key, values in out.items():
    if key in ref:
        result[key] = [float(np.abs(np.asarray(v) - ref[key]).max()) for v in values]
    else:
        result[key] = values
print(json.dumps(result))
"""


def _hub016_available() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import tensorflow_hub as h; print(h.__version__)"],
        capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )  # fmt: skip
    return probe.returncode == 0 and probe.stdout.strip().startswith("0.16")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    tree = tmp_path_factory.mktemp("modern") / "programs"
    shutil.copytree(PROGRAMS, tree)
    report = tree.parent / "report.json"
    assert main([str(tree), "--target", "modern", "-q", "--report", str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["counts"]["changed"] == len(MODULES) and data["counts"]["todos"] == 0
    return tree


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    import hubcompat

    root, done = tmp_path_factory.mktemp("converted"), {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = root / name
            hubcompat.convert(str(FIXTURES / name), str(done[name]))
        return done[name]

    return get


def test_migrated_programs_use_no_positional_signature_calls(migrated):
    for path in migrated.glob("*.py"):
        text = path.read_text()
        assert "hub.Module" not in text and "import tensorflow_hub" not in text, path
    mlp = (migrated / "mlp_signatures.py").read_text()
    assert 'mlp.signatures["default"](x=x)' in mlp and "plain = mlp(x)" in mlp
    assert 'mlp.signatures["double"](**dict(zip(mlp.signatures["double"]' in mlp


@pytest.mark.parametrize("mode", ["hubcompat", "saved_model", "hub016"])
@pytest.mark.parametrize("program", sorted(MODULES))
def test_migrated_program_computes_what_tf1_computed(program, mode, migrated, converted, tmp_path):
    if mode == "hub016" and not _hub016_available():
        pytest.skip("tensorflow_hub 0.16 is not installed (the hub016 nox cell has it)")
    name = MODULES[program]
    module = FIXTURES / name if mode == "hubcompat" else converted(name)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_USE_LEGACY_KERAS": "1"}
    if mode == "hubcompat":
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(migrated / f"{program}.py"), str(module),
         str(FIXTURES / f"{name}.reference.npz"), mode],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key, diffs in result.items():
        if key == "signatures":
            # What `hubcompat convert` writes also serves the default signature
            # as serving_default (TF Serving, Vertex AI, saved_model_cli).
            converted_extra = [] if mode == "hubcompat" else ["serving_default"]
            assert diffs == ["default", "double", *converted_extra]
            continue
        assert max(diffs) < ATOL, (key, diffs)
