"""What migrate writes and what errors tell users to install is the hubcompat that runs:
from its PEP 610 ``direct_url.json``, or ``--requirement`` / ``[tool.hubcompat]``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from hubcompat import __version__ as V
from hubcompat import _requirement
from hubcompat.migrate.__main__ import main

REPO = Path(__file__).resolve().parents[2]
GIT_URL = "hubcompat @ git+https://example.org/team/hubcompat@v0.1.0"


def dist_info(tmp_path: Path, direct_url: dict | None) -> metadata.Distribution:
    """A dist-info folder as pip leaves one (what pip writes, PEP 610 examples)."""
    info = tmp_path / f"hubcompat-{V}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: hubcompat\nVersion: {V}\n")
    (info / "INSTALLER").write_text("pip\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    return metadata.Distribution.at(info)


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (None, f"hubcompat=={V}"),  # from an index
        ({"url": "file:///srv/src/hubcompat", "dir_info": {"editable": True}},
         "hubcompat @ file:///srv/src/hubcompat"),
        ({"url": "file:///srv/src/hubcompat", "dir_info": {}}, "hubcompat @ file:///srv/src/hubcompat"),
        ({"url": "https://github.com/o/hubcompat.git",
          "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": "0123abcd" * 5}},
         f"hubcompat @ git+https://github.com/o/hubcompat.git@{'0123abcd' * 5}"),
        ({"url": "https://github.com/o/mono.git", "subdirectory": "py",
          "vcs_info": {"vcs": "git", "commit_id": "ab" * 20}},
         f"hubcompat @ git+https://github.com/o/mono.git@{'ab' * 20}#subdirectory=py"),
        ({"url": "https://example.org/hubcompat-0.1.0.tar.gz", "archive_info": {"hash": "sha256=00"}},
         "hubcompat @ https://example.org/hubcompat-0.1.0.tar.gz"),
    ],
)  # fmt: skip
def test_the_requirement_comes_from_direct_url_json(tmp_path, direct_url, expected):
    assert _requirement.installed(dist_info(tmp_path, direct_url)) == expected


def test_install_hints_carry_extras_and_follow_an_override():
    with _requirement.override(GIT_URL):
        assert _requirement.pip_install("tf") == (
            "pip install 'hubcompat[tf] @ git+https://example.org/team/hubcompat@v0.1.0'"
        )
        from hubcompat import preflight

        assert _requirement.pip_install("tf") in str(preflight.tensorflow_missing("x"))
    with _requirement.override(f"hubcompat=={V}"):
        assert _requirement.pip_install("kaggle") == f"pip install 'hubcompat[kaggle]=={V}'"


def test_requirement_option_sets_every_kind_of_file(tmp_path, capsys):
    (tmp_path / "requirements.txt").write_text(
        "tensorflow-hub>=0.7;python_version>'3.8'\nnumpy\n"
    )
    (tmp_path / "setup.cfg").write_text(
        "[options]\ninstall_requires =\n    tensorflow-hub==0.12\n"
    )
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "demo"
        dependencies = ["tensorflow-hub==0.12"]

        [tool.poetry.dependencies]
        tensorflow-hub = "^0.12"
    """))
    (tmp_path / "setup.py").write_text(
        'from setuptools import setup\nsetup(install_requires=["tensorflow_hub"])\n'
    )
    notebook = {"cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": ["!pip install -q tensorflow-hub"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "demo.ipynb").write_text(json.dumps(notebook, indent=1))
    assert main([str(tmp_path), "--requirement", GIT_URL, "-q", "--no-config"]) == 0
    assert (tmp_path / "requirements.txt").read_text() == (
        f"{GIT_URL} ;python_version>'3.8'\nnumpy\n"  # PEP 508: a URL ends at whitespace
    )
    assert (tmp_path / "setup.cfg").read_text().endswith(f"    {GIT_URL}\n")
    assert f'dependencies = ["{GIT_URL}"]' in (tmp_path / "pyproject.toml").read_text()
    assert (
        'hubcompat = { git = "https://example.org/team/hubcompat", rev = "v0.1.0" }'
        in (tmp_path / "pyproject.toml").read_text()
    )
    assert f'"{GIT_URL}"' in (tmp_path / "setup.py").read_text()
    cell = json.loads((tmp_path / "demo.ipynb").read_text())["cells"][0]["source"]
    assert cell == [f"!pip install -q '{GIT_URL}'"]  # one argument for the shell
    from packaging.requirements import Requirement

    written = (tmp_path / "requirements.txt").read_text().splitlines()[0]
    assert Requirement(written).url == "git+https://example.org/team/hubcompat@v0.1.0"
    assert "note:" not in capsys.readouterr().err  # a URL others can install


def test_pyproject_setting_and_bad_requirements(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.hubcompat]\nrequirement = "{GIT_URL}"\n'
    )
    (tmp_path / "requirements.txt").write_text("tensorflow-hub\n")
    assert main([str(tmp_path), "-q"]) == 0
    assert (tmp_path / "requirements.txt").read_text() == f"{GIT_URL}\n"
    for bad, says in [("numpy==1", "must name hubcompat"), ("hubcompat @", "not a PEP 508"),
                      ("hubcompat; python_version>'3'", "leave the marker out")]:  # fmt: skip
        with pytest.raises(SystemExit) as exit_info:
            main([str(tmp_path), "--requirement", bad])
        assert exit_info.value.code == 2 and says in capsys.readouterr().err


def test_a_local_folder_requirement_gets_a_note(tmp_path, capsys):
    (tmp_path / "requirements.txt").write_text("tensorflow-hub\n")
    assert main([str(tmp_path), "--requirement", "hubcompat @ file:///srv/hubcompat"]) == 0
    err = capsys.readouterr().err
    assert "note: the requirements written are 'hubcompat @ file:///srv/hubcompat'" in err
    assert "--requirement 'hubcompat @ git+https://" in err


def _pip_install_and_migrate(tmp_path: Path, source: str) -> str:
    """``pip install SOURCE`` (no deps: the venv has them) into a folder of its own, then
    the migrate tool from there on a requirements file; returns what it wrote, after
    checking pip can install it."""
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(target),
         source], check=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    requirements = tmp_path / "project" / "requirements.txt"
    requirements.parent.mkdir()
    requirements.write_text("tensorflow-hub==0.7\n")
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", "import hubcompat, sys; from hubcompat.migrate.__main__ import main;"
         f"assert hubcompat.__file__.startswith({str(target)!r}), hubcompat.__file__;"
         "sys.exit(main(sys.argv[1:]))", "--no-progress", str(requirements)],
        env=env, cwd=tmp_path / "project", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [*pip, "install", "-q", "--dry-run", "--no-deps", "--ignore-installed",
         "--no-build-isolation", "-r", str(requirements)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    return requirements.read_text()


@pytest.mark.heavy
def test_installed_from_a_folder_writes_that_folder(tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(REPO, clone, ignore=shutil.ignore_patterns(
        ".venv", ".nox", "*.egg-info", "build", "__pycache__", ".git"))  # fmt: skip
    assert _pip_install_and_migrate(tmp_path, str(clone)) == f"hubcompat @ {clone.as_uri()}\n"


@pytest.mark.heavy
def test_installed_from_git_writes_the_commit(tmp_path):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    if head.returncode != 0 or shutil.which("git") is None:
        pytest.skip("the checkout is not a git repository")
    commit = head.stdout.strip()
    written = _pip_install_and_migrate(tmp_path, f"git+{REPO.as_uri()}@{commit}")
    assert written == f"hubcompat @ git+{REPO.as_uri()}@{commit}\n"
