"""Wheels and editable installs carry codemods/ as hubcompat.codemods (not a top-level
`codemods`), through the one mapping in pyproject.toml (no setup.py, no import hook)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import sysconfig
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


try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib


def _copy_source(source: Path) -> None:
    """A copy of what a build reads (an in-tree build leaves build/ and *.egg-info behind)."""
    for name in ("hubcompat", "codemods"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", source / "pyproject.toml")
    (source / "README.md").write_text("hubcompat\n")


def test_every_package_folder_is_listed():
    """``find`` cannot see codemods/ -> hubcompat.codemods, so pyproject lists the packages."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "hubcompat").rglob("__init__.py")
    }
    folders |= {
        "hubcompat.codemods." + ".".join(p.parent.relative_to(REPO / "codemods").parts)
        for p in (REPO / "codemods").rglob("*/__init__.py")
    }
    assert sorted(setuptools["packages"]) == sorted(folders | {"hubcompat.codemods"})
    assert setuptools["package-dir"]["hubcompat.codemods"] == "codemods"
    assert not (REPO / "setup.py").exists()


def test_importing_hubcompat_installs_no_import_hook():
    # The one finder `import hubcompat` adds watches for Keras (hubcompat/_keras_registry.py:
    # saved models find hubcompat>KerasLayer); hubcompat.codemods is a plain package.
    code = (
        "import sys; before = list(sys.meta_path); import hubcompat; "
        "added = [f for f in sys.meta_path if f not in before]; "
        "assert [type(f).__module__ for f in added] == ['hubcompat._keras_registry'], added; "
        "import hubcompat.codemods; assert len(sys.meta_path) == len(before) + 1, sys.meta_path"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


@pytest.mark.heavy
@pytest.mark.skipif(
    not _can_build_wheels(), reason="needs setuptools>=70.1 or wheel (the test extra)"
)
def test_wheel_maps_codemods_and_runs_from_the_install(tmp_path):
    source = tmp_path / "src"
    _copy_source(source)
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


@pytest.mark.heavy
@pytest.mark.skipif(
    not _can_build_wheels(), reason="needs setuptools>=70.1 or wheel (the test extra)"
)
def test_editable_install_maps_codemods_to_the_source_folder(tmp_path):
    source = tmp_path / "src"
    _copy_source(source)
    (tmp_path / "dist").mkdir()
    build = subprocess.run(
        [sys.executable, "-c",
         "import sys; from setuptools import build_meta; print(build_meta.build_editable(sys.argv[1]))",
         str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=300, cwd=source,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    wheel = tmp_path / "dist" / build.stdout.strip().splitlines()[-1]
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    # -S: not this venv's own editable hubcompat; site.addsitedir runs the wheel's .pth
    # as the interpreter does in site-packages; the dependencies come from this venv's
    # site-packages, added without running its .pth files.
    script = (
        "import site, sys\n"
        f"site.addsitedir({str(target)!r})\n"
        f"sys.path.append({sysconfig.get_paths()['purelib']!r})\n"
        "import hubcompat.codemods\n"
        f"assert hubcompat.codemods.__file__ == {str(source / 'codemods' / '__init__.py')!r}, "
        "hubcompat.codemods.__file__\n"
        "from hubcompat.migrate.__main__ import main\n"
        "sys.exit(main(['--list-codemods']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-S", "-c", script], cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin"}, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "module_to_load" in run.stdout
