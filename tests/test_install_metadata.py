"""What ``pip install`` pulls in: TensorFlow only through the ``tf`` extra, two scripts.

A hard ``tensorflow`` dependency installs a second TensorFlow next to
tensorflow-cpu / tensorflow-macos / tf-nightly (pip cannot tell that they
provide the same modules) and 600 MB into the migrate tool's pre-commit hook.
.ci/run checks the real resolution (``pip install . tensorflow-cpu``).
"""

from __future__ import annotations

import re

from tests.support.paths import REPO

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower()


def test_tensorflow_is_only_an_extra():
    names = [_name(r) for r in PROJECT["dependencies"]]
    assert not [n for n in names if n.startswith(("tensorflow", "tf-", "tf_", "keras"))], names
    assert [_name(r) for r in PROJECT["optional-dependencies"]["tf"]] == ["tensorflow"]


def test_both_console_scripts_are_declared():
    assert PROJECT["scripts"] == {
        "hubcompat": "hubcompat.__main__:main",
        "hubcompat-migrate": "hubcompat.migrate.__main__:main",
    }


def test_the_pre_commit_hooks_run_the_migrate_script():
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert hooks.count("entry: hubcompat-migrate") == 2 and "language: python" in hooks
