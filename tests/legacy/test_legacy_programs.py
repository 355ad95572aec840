"""Legacy tensorflow_hub 0.15 programs print, after ``import hubcompat as hub``,
what they printed on TF 2.15 with genuine tensorflow_hub: the same text, the same
numbers within the spread between machines (tests/support/printed.py).

References: tests/legacy_programs/references/*.txt, recorded by
tests/legacy_programs/record_references.py in the TF 2.15 side venv.
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.support.paths import GENUINE_MISSING, LEGACY_PROGRAMS
from tests.support.printed import assert_printed_alike

sys.path.insert(0, str(LEGACY_PROGRAMS))  # the programs also run where hubcompat is not
import programs

pytestmark = pytest.mark.heavy


def _reference(name: str) -> str:
    with open(programs.reference_path(name), encoding="utf-8") as f:
        return f.read()


def _run(name: str, args) -> str:
    return programs.run(sys.executable, name, args, hub_import=programs.HUBCOMPAT_IMPORT)


@pytest.mark.parametrize("name", sorted(set(programs.PROGRAMS) - {"export_module"}))
def test_program_prints_what_genuine_hub_printed(name):
    if programs.missing_genuine(programs.PROGRAMS[name]):
        pytest.skip(GENUINE_MISSING)
    if not os.path.exists(programs.reference_path(name)):
        pytest.fail(f"no reference for {name}: run nox -s legacy_reference -- --record")
    assert_printed_alike(_run(name, programs.PROGRAMS[name]), _reference(name))


def test_export_then_genuine_and_hubcompat_read_it_alike(tmp_path):
    """Our create_module_spec + export prints what genuine printed; reading our export
    prints what genuine tensorflow_hub printed reading it (recorded in the side venv)."""
    exported = str(tmp_path / "module")
    assert_printed_alike(_run("export_module", [exported]), _reference("export_module"))
    assert sorted(os.listdir(exported)) == ["assets", "saved_model.pb", "tfhub_module.pb",
                                            "variables"]
    with open(os.path.join(exported, "tfhub_module.pb"), "rb") as f:
        assert f.read() == b"\x08\x03"
    assert_printed_alike(_run(programs.CROSS_PROGRAM, [exported]),
                         _reference(programs.CROSS_PROGRAM))


def test_hubcompat_reads_genuine_export():
    """use_exported.py on the module genuine tensorflow_hub exported (committed fixture)."""
    assert_printed_alike(_run(programs.CROSS_PROGRAM, [programs.GENUINE_EXPORT]),
                         _reference(programs.CROSS_PROGRAM))
