"""Notebooks: only the changed source lines change, in any writer's JSON layout.

The notebooks are built as their writers write them (Jupyter's nbformat,
VS Code's JSON.stringify layout, Google's Colab writer with ``\\u003c``
escapes, one-line JSON, Windows line endings), and each expected result is
the original text with just the changed source literals replaced: every
other byte must be identical, and a second run must change nothing.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat import v4

from hubcompat import __version__
from hubcompat.migrate.__main__ import main

IMPORTS = "import tensorflow as tf\nimport tensorflow_hub as hub"
USE = 'embed = hub.Module("h")\nvectors = embed(["a"])\n!ls -l\n%time x = 1\nembed?'


def notebook(*sources: str):
    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    nb.cells = [v4.new_markdown_cell("# Título")] + [v4.new_code_cell(s) for s in sources]
    nb.cells[-1].outputs = [v4.new_output("stream", name="stdout", text="ünïcode <b>&\n")]
    return nb


def run_twice(path, *args):
    """Migrate, then check that a second run finds nothing to do and writes nothing."""
    assert main([str(path), "-q", *args]) == 0
    mtime, text = path.stat().st_mtime_ns, path.read_bytes()
    assert main([str(path), "-q", "--check", *args]) == 0
    assert path.stat().st_mtime_ns == mtime and path.read_bytes() == text
    return text.decode("utf-8")


def changed_lines(old: str, new: str) -> list[tuple[str, str]]:
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    return [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]


def test_jupyter_layout_byte_identical_except_changed_cells(tmp_path):
    nb = notebook(IMPORTS, "x = 1  # untouched", USE, "%%bash\necho tensorflow_hub", "print 'py2'")
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    original = path.read_text(encoding="utf-8")
    report = tmp_path / "r.json"
    assert main([str(path), "--target", "modern", "--report", str(report), "-q"]) == 0

    expected = notebook(
        IMPORTS.replace("tensorflow_hub", "hubcompat"),
        "x = 1  # untouched",
        'embed = hub.load("h")\nvectors = embed(["a"])\n!ls -l\n%time x = 1\nembed?',
        "%%bash\necho tensorflow_hub",
        "print 'py2'",
    )
    for new, old in zip(expected.cells, nb.cells, strict=True):
        new["id"] = old["id"]
    new_text = path.read_text(encoding="utf-8")
    assert new_text == nbformat.writes(expected) + "\n"
    assert changed_lines(original, new_text) == [
        ('    "import tensorflow_hub as hub"\n', '    "import hubcompat as hub"\n'),
        ('    "embed = hub.Module(\\"h\\")\\n",\n', '    "embed = hub.load(\\"h\\")\\n",\n'),
    ]

    data = json.loads(report.read_text())
    assert [(c["cell"], c["line"]) for c in data["files"][0]["changes"]] == [(3, 1), (1, 2)]
    reasons = [s["reason"] for s in data["skipped"]]
    assert reasons[0] == "cell 4: cell magic, left unchanged"
    assert reasons[1].startswith("cell 5: not Python 3")


def test_vscode_layout(tmp_path):
    # VS Code's serializer: JSON.stringify of the sorted notebook, its indentAmount
    # (here 4), raw UTF-8, final newline, its own metadata.
    nb = notebook(IMPORTS + "\n" + 'm = hub.Module("h")  # ünï')
    nb.metadata["vscode"] = {"interpreter": {"hash": "ab12"}}
    raw = json.dumps(json.loads(nbformat.writes(nb)), indent=4, sort_keys=True, ensure_ascii=False)
    path = tmp_path / "vscode.ipynb"
    path.write_text(raw + "\n", encoding="utf-8")
    new = run_twice(path)
    assert (
        new
        == raw.replace('"import tensorflow_hub as hub\\n"', '"import hubcompat as hub\\n"') + "\n"
    )


def colab_text(data) -> str:
    """Google's notebook writer: indent 2, its key order, raw UTF-8, ``<`` ``>`` ``&`` as
    ``\\u003c`` ``\\u003e`` ``\\u0026`` (they only occur inside JSON strings), no final newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def colab_notebook(*sources: list[str]) -> dict:
    return {
        "nbformat": 4,
        "nbformat_minor": 0,
        "metadata": {
            "colab": {"provenance": [], "name": "demo.ipynb"},
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "accelerator": "GPU",
        },
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"id": f"cell{i}"},
                "source": source,
                "execution_count": None,
                "outputs": [],
            }
            for i, source in enumerate(sources)
        ],
    }


def test_colab_layout_with_html_escapes(tmp_path):
    data = colab_notebook(
        ["!pip install -q tensorflow_hub==0.7\n", "import tensorflow_hub as hub"],
        [
            "# ünï <b> & more\n",
            'm = hub.Module("https://tfhub.dev/x?a=1&b=2")\n',
            "if x < 3 and x > 2:\n",
            "    print(m(x))",
        ],
        [
            "spec = hub.create_module_spec(fn)\n",
            "print('<done>')",
        ],
    )
    raw = colab_text(data)
    assert "\\u003c" in raw and "\\u0026" in raw and "<" not in raw
    path = tmp_path / "colab.ipynb"
    path.write_text(raw, encoding="utf-8")
    report = tmp_path / "r.json"
    assert main([str(path), "-q", "--target", "modern", "--report", str(report)]) == 0
    new = path.read_text(encoding="utf-8")
    data["cells"][0]["source"] = [f"!pip install -q hubcompat=={__version__}\n",
                                  "import hubcompat as hub"]  # fmt: skip
    data["cells"][1]["source"][1] = 'm = hub.load("https://tfhub.dev/x?a=1&b=2")\n'
    data["cells"][2]["source"].insert(
        0,
        "# TODO(hubcompat): TF1 Hub module creation/export has no TF2 equivalent: export a "
        "TF2 SavedModel with tf.saved_model.save (kept running on hubcompat)\n",
    )
    assert new == colab_text(data)
    assert len(changed_lines(raw, new.replace('",\n        "spec', '", "spec', 1))) == 4
    assert run_twice(path, "--target", "modern") == new
    changes = json.loads(report.read_text())["files"][0]["changes"]
    assert {"codemod": "dependencies", "cell": 0, "line": 1,
            "message": f"tensorflow_hub==0.7 -> hubcompat=={__version__}"} in changes  # fmt: skip


@pytest.mark.parametrize(
    "dump",
    [
        pytest.param(lambda d: json.dumps(d), id="one-line"),
        pytest.param(lambda d: json.dumps(d, separators=(",", ":")), id="one-line-compact"),
        pytest.param(lambda d: json.dumps(d, indent=1, ensure_ascii=True), id="ascii-escapes"),
        pytest.param(
            lambda d: json.dumps(d, indent=1, ensure_ascii=False).replace("\n", "\r\n") + "\r\n",
            id="crlf",
        ),
    ],
)
def test_other_layouts(tmp_path, dump):
    nb = json.loads(nbformat.writes(notebook(IMPORTS + "\n# ünï", "x = 1")))
    raw = dump(nb)
    path = tmp_path / "nb.ipynb"
    path.write_bytes(raw.encode("utf-8"))
    new = run_twice(path)
    assert new == raw.replace('"import tensorflow_hub as hub\\n"', '"import hubcompat as hub\\n"')


def test_one_string_sources_and_crlf_code_keep_their_form(tmp_path):
    data = colab_notebook("import tensorflow_hub as hub\r\nx = 1\r\n")
    raw = json.dumps(data, indent=2)
    path = tmp_path / "nb.ipynb"
    path.write_text(raw, encoding="utf-8")
    new = run_twice(path)
    assert new == raw.replace(
        '"import tensorflow_hub as hub\\r\\nx', '"import hubcompat as hub\\r\\nx'
    )


def test_nbformat_3_notebooks_are_migrated(tmp_path):
    v3 = nbformat.v3
    nb = v3.new_notebook(
        worksheets=[v3.new_worksheet(cells=[v3.new_code_cell(input=IMPORTS)])],
        metadata=v3.new_metadata(name="old"),
    )
    raw = nbformat.writes(nb, version=3)
    path = tmp_path / "old.ipynb"
    path.write_text(raw, encoding="utf-8")
    new = run_twice(path)
    assert new == raw.replace('"import tensorflow_hub as hub"', '"import hubcompat as hub"')
    assert nbformat.reads(new, as_version=nbformat.NO_CONVERT).nbformat == 3


def test_invalid_notebooks_and_cells_are_left_alone_and_named(tmp_path, capsys):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [tensorflow_hub', encoding="utf-8")
    good = tmp_path / "good.ipynb"
    nbformat.write(notebook(IMPORTS, "print 'py2'"), good)
    report = tmp_path / "r.json"
    assert main([str(tmp_path), "--report", str(report)]) == 3
    assert broken.read_text(encoding="utf-8") == '{"cells": [tensorflow_hub'
    reasons = [(s["path"], s["reason"]) for s in json.loads(report.read_text())["skipped"]]
    assert reasons[0][0] == str(broken) and reasons[0][1].startswith("not a readable notebook")
    assert reasons[1][0] == str(good) and reasons[1][1].startswith("cell 2: not Python 3")
    err = capsys.readouterr().err
    assert f"{broken}: error: not a readable notebook" in err
    assert f"{good}: cell 2: not Python 3" in err


def test_import_in_one_cell_is_known_in_another(tmp_path, capsys):
    path = tmp_path / "a.ipynb"
    nbformat.write(
        notebook(
            "import tensorflow_hub as tfhub",
            "m = tfhub.Module('h')\nm(x)",
            "x = 1\nn = tfhub.Module('h')\nn.export(p, s)",
        ),
        path,
    )
    assert main([str(path), "--target", "modern"]) == 0
    cells = nbformat.read(path, as_version=4).cells
    assert cells[2].source == "m = tfhub.load('h')\nm(x)"
    assert cells[3].source.startswith("x = 1\n# TODO(hubcompat): `n` is used as a hub.Module")
    assert f"{path}: cell 3: line 2: TODO(module_to_load): `n` is used" in capsys.readouterr().err


def test_writefile_cells_are_migrated_as_the_python_files_they_write(tmp_path, capsys):
    body = 'import tensorflow as tf\nimport tensorflow_hub as hub\n\nx = tf.placeholder(tf.string)\nm = hub.Module("h")(x)\n'
    nb = notebook(
        "import numpy as np",
        f"%%writefile embed.py\n{body}",
        "%%writefile notes.txt\nimport tensorflow_hub\n",
        "%%writefile -a broken.py\nimport tensorflow_hub\nprint 'py2'\n",
    )
    path = tmp_path / "deploy.ipynb"
    path.write_text(nbformat.writes(nb))
    run_twice(path)
    cells = [c.source for c in nbformat.read(path, as_version=4).cells]
    assert cells[2] == (
        "%%writefile embed.py\nimport tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n"
        'import hubcompat as hub\n\nx = tf.placeholder(tf.string)\nm = hub.Module("h")(x)\n'
    )
    assert cells[3] == "%%writefile notes.txt\nimport tensorflow_hub\n"  # not Python: as it was
    assert cells[4] == "%%writefile -a broken.py\nimport tensorflow_hub\nprint 'py2'\n"
    capsys.readouterr()
    assert main([str(path), "--check"]) == 0
    err = capsys.readouterr().err
    assert "cell 3: cell magic, left unchanged" in err
    assert "cell 4: %%writefile body: not Python 3" in err
