"""Dependency declarations: tensorflow-hub requirements move to hubcompat, every other
byte stays; what cannot be rewritten safely is reported and left as it is."""

from __future__ import annotations

import json
import textwrap

import pytest

from hubcompat import __version__ as V
from hubcompat.codemods.dependencies import DependenciesCommand
from hubcompat.migrate.__main__ import main
from hubcompat.migrate.dependencies import (
    rewrite_pip_line,
    rewrite_pyproject,
    rewrite_requirement,
    rewrite_requirements_txt,
    rewrite_setup_cfg,
)
from hubcompat.migrate.transform import run_codemods

pytestmark = pytest.mark.usefixtures("installed_from_index")  # hubcompat==<version>


@pytest.mark.parametrize(
    ("spec", "new"),
    [
        ("tensorflow-hub", "hubcompat"),
        ("tensorflow_hub>=0.7", "hubcompat"),
        ("TensorFlow.Hub == 0.12.0", f"hubcompat=={V}"),
        ("  tensorflow-hub==0.7 ", f"  hubcompat=={V} "),
        ("tensorflow-hub~=0.12 ; python_version < '3.12'", "hubcompat ; python_version < '3.12'"),
        ("tensorflow-hub==0.*", "hubcompat"),
        ("numpy==1.2", "numpy==1.2"),
        ("tensorflow-hubble", "tensorflow-hubble"),
        ("not a requirement !", "not a requirement !"),
    ],
)
def test_rewrite_requirement(spec, new):
    assert rewrite_requirement(spec)[0] == new


@pytest.mark.parametrize(
    ("spec", "todo"),
    [
        ("tensorflow-hub @ git+https://github.com/tensorflow/hub", "from a URL"),
        ("tensorflow-hub[make_image_classifier]>=0.8", "no tensorflow-hub extras"),
        ("tensorflow==1.15", "excludes TensorFlow 2.13+"),
        ("tensorflow-gpu<2", "excludes TensorFlow 2.13+"),
    ],
)
def test_unsafe_requirements_are_kept_and_reported(spec, todo):
    new, change, message = rewrite_requirement(spec)
    assert new == spec and change is None and todo in message


def test_requirements_txt_keeps_every_other_byte():
    text = (
        "# demo\r\nnumpy==1.2 \\\r\n    --hash=sha256:ab\r\n"
        "tensorflow-hub==0.7.0  # hub\r\n"
        "-r base.txt\r\n--index-url https://x/simple\r\n"
        "tensorflow>=1.15,<2\r\ntensorflow-hub[make_image_classifier]"
    )
    result = rewrite_requirements_txt(text)
    assert result.text == text.replace("tensorflow-hub==0.7.0  #", f"hubcompat=={V}  #")
    assert result.changes == [(4, f"tensorflow-hub==0.7.0 -> hubcompat=={V}")]
    assert [line for line, _ in result.todos] == [7, 8]


def test_tensorflow_pins_are_reported_only_next_to_tensorflow_hub():
    assert rewrite_requirements_txt("tensorflow==1.15\n").todos == []


def test_setup_cfg():
    text = textwrap.dedent(
        """\
        [metadata]
        name = x
        install_requires = tensorflow-hub
        [options]
        install_requires =
            numpy
            tensorflow-hub>=0.7  # hub
        python_requires = >=3.8
        [options.extras_require]
        hub = tensorflow_hub==0.12
        """
    )
    result = rewrite_setup_cfg(text)
    assert result.text == text.replace("    tensorflow-hub>=0.7", "    hubcompat").replace(
        "tensorflow_hub==0.12", f"hubcompat=={V}"
    )
    assert [line for line, _ in result.changes] == [7, 10]


def test_pyproject_pep621_and_poetry():
    text = textwrap.dedent(
        """\
        [project]
        name = "x"
        dependencies = [
          "numpy",
          "tensorflow-hub>=0.7",  # hub
          'tensorflow==2.15',
        ]
        [project.optional-dependencies]
        hub = ["tensorflow_hub==0.12"]
        [tool.poetry.dependencies]
        python = "^3.10"
        tensorflow-hub = "^0.12"
        tensorflow = "~1.15"
        [tool.poetry.group.dev.dependencies]
        tensorflow_hub = {version = "^0.12"}
        [tool.other]
        note = "tensorflow-hub>=0.7"
        """
    )
    result = rewrite_pyproject(text)
    assert result.text == (
        text.replace('"tensorflow-hub>=0.7",', '"hubcompat",')
        .replace('"tensorflow_hub==0.12"', f'"hubcompat=={V}"')
        .replace('tensorflow-hub = "^0.12"', f'hubcompat = ">={V}"')
    )
    assert [line for line, _ in result.todos] == [13, 15]


@pytest.mark.parametrize(
    ("line", "new"),
    [
        ("!pip install -q tensorflow_hub==0.7\n", f"!pip install -q hubcompat=={V}\n"),
        (
            "%pip install --upgrade 'tensorflow-hub>=0.12' numpy",
            "%pip install --upgrade 'hubcompat' numpy",
        ),
        (
            "!python3 -m pip install tensorflow-hub  # hub\n",
            "!python3 -m pip install hubcompat  # hub\n",
        ),
        ("!echo tensorflow-hub\n", "!echo tensorflow-hub\n"),
    ],
)
def test_pip_lines(line, new):
    assert rewrite_pip_line(line)[0] == new


def test_setup_py_codemod_only_in_setup_py():
    source = textwrap.dedent(
        """\
        from setuptools import setup
        setup(install_requires=["tensorflow-hub==0.7", 'numpy'], extras_require={"x": ["tensorflow_hub[a]"]})
        """
    )
    text, events = run_codemods(source, [DependenciesCommand], "pkg/setup.py")
    assert text == source.replace('"tensorflow-hub==0.7"', f'"hubcompat=={V}"').replace(
        "setup(",
        "# TODO(hubcompat): 'tensorflow_hub[a]': hubcompat has no tensorflow-hub "
        "extras; replace it with hubcompat and the extra packages by hand\nsetup(",
    )
    assert run_codemods(text, [DependenciesCommand], "pkg/setup.py")[0] == text
    assert run_codemods(source, [DependenciesCommand], "pkg/other.py")[0] == source


def test_cli_finds_and_rewrites_dependency_files(tmp_path):
    (tmp_path / "requirements-dev.txt").write_text("tensorflow-hub>=0.7\n")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("tensorflow_hub\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["tensorflow-hub"]\n'
    )
    (tmp_path / "setup.cfg").write_text(
        "[options]\ninstall_requires = tensorflow-hub @ https://x/h.whl\n"
    )
    (tmp_path / "notes.txt").write_text("tensorflow-hub\n")
    report = tmp_path / "r.json"
    assert main([str(tmp_path), "-q", "--report", str(report)]) == 0
    assert (tmp_path / "requirements-dev.txt").read_text() == "hubcompat\n"
    assert (tmp_path / "requirements" / "base.txt").read_text() == "hubcompat\n"
    assert (tmp_path / "pyproject.toml").read_text().endswith('dependencies = ["hubcompat"]\n')
    assert (tmp_path / "notes.txt").read_text() == "tensorflow-hub\n"
    data = json.loads(report.read_text())
    (cfg,) = [f for f in data["files"] if f["path"].endswith("setup.cfg")]
    assert cfg["status"] == "unchanged" and "from a URL" in cfg["todos"][0]["message"]
    assert main([str(tmp_path), "-q", "--check"]) == 0
