import json

import pytest

from hubcompat.codemods._hub_names import MODULES, SOURCE_ONLY
from hubcompat.codemods.imports_to_hubcompat import ImportsToHubcompatCommand as Cmd

from .helpers import check_noop, check_transformed, run
from tests.support.paths import LEGACY_PYTHON, REPO


def test_alias_kept():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf, tensorflow_hub as hub
        import tensorflow_hub as tfhub
        m = hub.Module("h")
        """,
        """
        import tensorflow as tf, hubcompat as hub
        import hubcompat as tfhub
        m = hub.Module("h")
        """,
    )


def test_plain_import_keeps_every_other_line():
    check_transformed(
        Cmd,
        """
        import tensorflow_hub
        m = tensorflow_hub.Module("h")
        """,
        """
        import hubcompat as tensorflow_hub
        m = tensorflow_hub.Module("h")
        """,
    )


def test_from_imports_and_function_local():
    events = check_transformed(
        Cmd,
        """
        from tensorflow_hub import Module, load_module_spec as lms
        from tensorflow_hub.keras_layer import KerasLayer

        def build():
            from tensorflow_hub import text_embedding_column
            return text_embedding_column("s", "h")
        """,
        """
        from hubcompat import Module, load_module_spec as lms
        from hubcompat import KerasLayer

        def build():
            from hubcompat import text_embedding_column
            return text_embedding_column("s", "h")
        """,
    )
    assert [e["line"] for e in events] == [2, 3, 6]  # the dedented source starts with a blank line


def test_submodule_imports_get_a_todo():
    events = check_transformed(
        Cmd,
        """
        import tensorflow_hub.tools
        from tensorflow_hub import module
        from tensorflow_hub import test_utils, Module
        """,
        """
        # TODO(hubcompat): import tensorflow_hub.tools: hubcompat has no such submodule (tensorflow_hub.tools); import the names from hubcompat instead
        import tensorflow_hub.tools
        # TODO(hubcompat): from tensorflow_hub import module: hubcompat has no tensorflow_hub.module (modules of tensorflow_hub hubcompat does not provide); import what you use from hubcompat's public names instead
        from tensorflow_hub import module
        # TODO(hubcompat): from tensorflow_hub import test_utils: hubcompat has no tensorflow_hub.test_utils (modules of tensorflow_hub hubcompat does not provide); import what you use from hubcompat's public names instead
        from tensorflow_hub import test_utils, Module
        """,
    )
    assert [e["kind"] for e in events] == ["todo", "todo", "todo"]


def _module_lists_of_installed_tensorflow_hub() -> dict[str, list[str]] | None:
    """The genuine venv's tensorflow_hub modules (as the recording script lists them)."""
    import os
    import subprocess

    python = LEGACY_PYTHON
    if not os.path.exists(python):
        return None
    code = (
        "import pkgutil, tensorflow_hub as h; print(h.__version__); "
        "print(' '.join(sorted(m.name for m in pkgutil.walk_packages(h.__path__))))"
    )
    run = subprocess.run([python, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # fmt: skip
    if run.returncode:
        return None
    version, names = run.stdout.strip().splitlines()[-2:]
    return {version: names.split()}


@pytest.mark.parametrize("version", sorted(MODULES))
def test_every_tensorflow_hub_module_and_name_maps_to_hubcompat_or_a_todo_naming_it(version):
    """Issue 20: no `from tensorflow_hub import X` becomes an import hubcompat cannot serve."""
    import hubcompat

    names = json.loads((REPO / "tests/genuine_parity/public_names.json").read_text())[version]
    for name in [*MODULES[version], *SOURCE_ONLY, *names]:
        top = name.split(".")[0]
        got, events = run(Cmd, f"from tensorflow_hub import {top}\n")
        if got.startswith("from hubcompat import"):
            assert top in hubcompat.__all__, top  # exists, without importing TensorFlow
        else:
            assert [e["kind"] for e in events] == ["todo"] and f"tensorflow_hub.{top}" in got
        got, events = run(Cmd, f"import tensorflow_hub.{name}\n")
        assert [e["kind"] for e in events] == ["todo"] and f"tensorflow_hub.{name}" in got


@pytest.mark.heavy  # a second venv, TensorFlow 2.15 imported
def test_recorded_module_lists_match_the_genuine_wheel():
    installed = _module_lists_of_installed_tensorflow_hub()
    if installed is None:
        pytest.skip("no genuine tensorflow_hub (HUBCOMPAT_LEGACY_PYTHON) on this machine")
    for version, names in installed.items():
        assert sorted(n for n in names if n != "tools" and "." not in n) == [
            n for n in MODULES[version] if "." not in n
        ]


def test_noop_other_hubs_and_relative():
    check_noop(
        Cmd,
        """
        import paddlehub as hub
        from . import tensorflow_hub
        from .tensorflow_hub import Module
        import tensorflow_hubble
        m = hub.Module(name="ernie")
        """,
    )
