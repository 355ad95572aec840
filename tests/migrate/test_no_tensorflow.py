"""The migrate CLI never imports TensorFlow: every codemod, both targets, notebooks and
dependency files, in this process and in worker processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "sample_tree"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_migrate_whole_sample_tree_imports_no_tensorflow(tmp_path, jobs):
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    code = textwrap.dedent(
        f"""
        import sys
        from hubcompat.migrate.__main__ import main
        status = main(["--target", "modern", "--no-progress", "-q", "--no-config",
                       "--jobs", {jobs!r}, {str(tree)!r}])
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        assert not loaded, loaded
        sys.exit(status)
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stderr  # 3: the Python 2 file is reported, the rest done
    assert "import hubcompat as tfhub" in (tree / "elmo" / "elmo_keras.py").read_text()
