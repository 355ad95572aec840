"""Notebooks: only the changed cells change; layout, magics, outputs and ids stay byte for byte."""

from __future__ import annotations

import json

import nbformat
from nbformat import v4

from hubcompat.migrate.__main__ import main

IMPORTS = "import tensorflow as tf\nimport tensorflow_hub as hub"
USE = 'embed = hub.Module("h")\nvectors = embed(["a"])\n!ls -l\n%time x = 1\nembed?'


def notebook(*sources: str):
    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    nb.cells = [v4.new_markdown_cell("# Título")] + [v4.new_code_cell(s) for s in sources]
    nb.cells[-1].outputs = [v4.new_output("stream", name="stdout", text="ünïcode\n")]
    return nb


def test_jupyter_layout_byte_identical_except_changed_cells(tmp_path):
    nb = notebook(IMPORTS, "x = 1  # untouched", USE, "%%bash\necho tensorflow_hub", "print 'py2'")
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    report = tmp_path / "r.json"
    assert main([str(path), "--target", "modern", "--report", str(report), "-q"]) == 0

    expected = notebook(
        IMPORTS.replace("tensorflow_hub", "hubcompat"),
        "x = 1  # untouched",
        'embed = hub.load("h")\nvectors = embed.signatures["default"](["a"])["default"]\n'
        "!ls -l\n%time x = 1\nembed?",
        "%%bash\necho tensorflow_hub",
        "print 'py2'",
    )
    for new, old in zip(expected.cells, nb.cells, strict=True):
        new["id"] = old["id"]
    assert path.read_text(encoding="utf-8") == nbformat.writes(expected) + "\n"

    data = json.loads(report.read_text())
    assert [(c["cell"], c["line"]) for c in data["files"][0]["changes"]] == [(3, 1), (1, 2)]
    reasons = [s["reason"] for s in data["skipped"]]
    assert reasons[0] == "cell 4: cell magic, left unchanged"
    assert reasons[1].startswith("cell 5:") and "not Python 3" in reasons[1]


def test_colab_style_layout_kept_and_idempotent(tmp_path):
    nb = notebook(IMPORTS + "\n" + USE)
    data = json.loads(nbformat.writes(nb))
    data = {
        "nbformat": data["nbformat"],
        "nbformat_minor": data["nbformat_minor"],
        "metadata": data["metadata"],
        "cells": data["cells"],
    }  # Colab's key order
    raw = json.dumps(data, indent=2, ensure_ascii=True)  # no final newline either
    path = tmp_path / "colab.ipynb"
    path.write_text(raw, encoding="utf-8")
    assert main([str(path), "-q"]) == 0
    new = path.read_text(encoding="utf-8")
    data["cells"][1]["source"][1] = "import hubcompat as hub\n"
    assert new == json.dumps(data, indent=2, ensure_ascii=True)
    mtime = path.stat().st_mtime_ns
    assert main([str(path), "-q", "--check"]) == 0 and path.stat().st_mtime_ns == mtime


def test_unreproducible_layout_and_invalid_notebooks_are_left_alone(tmp_path):
    raw = json.dumps(
        json.loads(nbformat.writes(notebook(IMPORTS))), separators=(",", ":"), indent=1
    )
    odd = tmp_path / "odd.ipynb"
    odd.write_text(raw, encoding="utf-8")
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [tensorflow_hub', encoding="utf-8")
    report = tmp_path / "r.json"
    assert main([str(tmp_path), "--report", str(report), "-q"]) == 3
    assert odd.read_text(encoding="utf-8") == raw
    assert broken.read_text(encoding="utf-8") == '{"cells": [tensorflow_hub'
    reasons = {s["path"]: s["reason"] for s in json.loads(report.read_text())["skipped"]}
    assert "layout" in reasons[str(odd)] and "not a readable notebook" in reasons[str(broken)]


def test_import_in_one_cell_is_known_in_another(tmp_path):
    path = tmp_path / "a.ipynb"
    nbformat.write(notebook("import tensorflow_hub as tfhub", "m = tfhub.Module('h')\nm(x)"), path)
    assert main([str(path), "--target", "modern", "-q"]) == 0
    cells = nbformat.read(path, as_version=4).cells
    assert cells[2].source == 'm = tfhub.load(\'h\')\nm.signatures["default"](x)["default"]'
