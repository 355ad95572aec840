"""Every codemod is documented in docs/migrate.md, and every documented one exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hubcompat.migrate import registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "migrate.md"


def test_every_codemod_documented_and_every_documented_exists():
    documented = re.findall(r"^### `(\w+)`", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    names = [c.name() for c in registry.all_codemods()]
    assert documented == names  # same set, and documented in run order


def test_codemods_have_description_docstring_and_targets():
    for command in registry.all_codemods():
        module = __import__(command.__module__, fromlist=["_"])
        assert command.DESCRIPTION and len(module.__doc__ or "") > 100, command
        assert command.TARGETS <= {"hubcompat", "modern"} and command.TARGETS


def test_imports_run_last_and_select_checks_names():
    assert registry.all_codemods()[-1].name() == "imports_to_hubcompat"
    assert [c.name() for c in registry.select("hubcompat")] == [
        "tf1_program",
        "string_references",
        "dependencies",
        "imports_to_hubcompat",
    ]
    assert [c.name() for c in registry.select("modern", only=["image_size"])] == ["image_size"]
    with pytest.raises(ValueError, match="unknown codemod 'nope'"):
        registry.select("modern", skip=["nope"])
    with pytest.raises(ValueError, match="unknown target"):
        registry.select("tf3")
