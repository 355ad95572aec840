"""Issue 20 in CI: programs written here in the real public programs' patterns (ours/) run
with genuine tensorflow_hub 0.15 and, after ``hubcompat-migrate`` alone, on this venv's
TensorFlow, and compute the same numbers.

The same harness as for the real programs (harness.py, which CI cannot run: it needs git
snapshots of public repositories): stand-in modules exported by genuine tensorflow_hub into a
cache keyed as tensorflow_hub keys it, offline runs, ``Session.run`` results and printed
numbers compared with tolerances scaled to the values. The genuine run needs
HUBCOMPAT_LEGACY_PYTHON (``nox -s legacy_reference`` runs this file with it; with TF 2.15
there, the Estimator program runs too).
"""

from __future__ import annotations

import shutil

import pytest

from tests.real_programs import harness
from tests.real_programs.catalog import OURS
from tests.support.paths import LEGACY_PYTHON

pytestmark = pytest.mark.heavy


def _has_estimator() -> bool:
    import tensorflow as tf

    return hasattr(tf, "estimator") and hasattr(tf.compat.v1, "estimator")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not shutil.which(LEGACY_PYTHON):
        pytest.skip("needs genuine tensorflow_hub 0.15: set HUBCOMPAT_LEGACY_PYTHON")
    names = [n for n, spec in OURS.items()
             if spec.get("needs") != "estimator" or _has_estimator()]
    return harness.run(names, LEGACY_PYTHON, workdir=str(tmp_path_factory.mktemp("ours")))


@pytest.mark.parametrize("name", sorted(OURS))
def test_migrated_program_computes_what_genuine_hub_computed(name, results):
    if name not in results:
        pytest.skip(f"{OURS[name]['note']} (this TF has no tf.estimator)")
    result = results[name]
    assert result["genuine"] == {"status": "ran"}, result
    assert result["migrated"]["status"] == "same", result
    assert result["migrated"]["numbers"] > 0
