"""The built wheel carries codemods/ as hubcompat.codemods (not a top-level `codemods`)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _can_build_wheels() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.mark.slow
@pytest.mark.skipif(
    not _can_build_wheels(), reason="needs setuptools>=70.1 or wheel (the test extra)"
)
def test_wheel_maps_codemods_and_runs_from_the_install(tmp_path):
    source = tmp_path / "src"  # build a copy: an in-tree build leaves build/ and *.egg-info behind
    for name in ("hubcompat", "codemods"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy(REPO / name, source / name)
    (source / "README.md").write_text("hubcompat\n")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), "-q"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("hubcompat-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hubcompat/codemods/module_to_load.py" in names
    assert "hubcompat/migrate/__main__.py" in names
    assert not any(n.startswith("codemods/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "hubcompat-migrate = hubcompat.migrate.__main__:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )

    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    script = (
        "import hubcompat, hubcompat.codemods, sys\n"
        f"assert hubcompat.codemods.__file__.startswith({str(target)!r}), hubcompat.codemods.__file__\n"
        "from hubcompat.migrate.__main__ import main\n"
        "sys.exit(main(['--list-codemods']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "imports_to_hubcompat" in run.stdout
