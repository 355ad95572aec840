"""The command line on real files: exit codes, check/diff, reports, byte fidelity, atomic writes."""

from __future__ import annotations

import codecs
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from hubcompat.migrate import registry, runner
from hubcompat.migrate.__main__ import main

REPO = Path(__file__).resolve().parents[2]
LEGACY = textwrap.dedent(
    """\
    import tensorflow_hub as hub

    embed = hub.Module("https://tfhub.dev/google/nnlm-en-dim128/1")
    vectors = embed(["a b"])
    """
)
MIGRATED = LEGACY.replace("import tensorflow_hub as hub", "import hubcompat as hub")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_check_exit_codes_and_no_writes(tmp_path, capsys):
    path = write(tmp_path / "a.py", LEGACY)
    mtime = path.stat().st_mtime_ns
    assert main([str(tmp_path), "--check"]) == 1
    assert path.read_text() == LEGACY and path.stat().st_mtime_ns == mtime
    assert "would rewrite" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 0
    assert path.read_text() == MIGRATED
    assert main([str(tmp_path), "--check"]) == 0


def test_diff_prints_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path / "a.py", LEGACY)
    assert main([str(path), "--diff"]) == 0
    out = capsys.readouterr().out
    assert "-import tensorflow_hub as hub\n+import hubcompat as hub\n" in out
    assert path.read_text() == LEGACY


def test_unparsable_files_are_reported_left_alone_and_the_run_goes_on(tmp_path, capsys):
    py2 = write(tmp_path / "a_py2.py", b"import tensorflow_hub as hub\nprint 'x'\n")
    shell = write(tmp_path / "b_shell.py", b"import tensorflow_hub as hub\n$ pip install x\n")
    # what tf_upgrade_v2 aborted a whole-tree run on: match statements, positional-only /
    modern = write(
        tmp_path / "c_modern.py",
        LEGACY + "def f(a, /, b):\n    match a:\n        case 1:\n            return b\n",
    )
    report = tmp_path / "report.json"
    assert main([str(tmp_path), "--report", str(report)]) == 3
    assert py2.read_bytes() == b"import tensorflow_hub as hub\nprint 'x'\n"
    assert shell.read_bytes() == b"import tensorflow_hub as hub\n$ pip install x\n"
    assert modern.read_text().startswith("import hubcompat as hub\n")
    skipped = json.loads(report.read_text())["skipped"]
    assert [s["path"] for s in skipped] == [str(py2), str(shell)]
    assert all("not Python 3 that libcst can parse" in s["reason"] for s in skipped)
    assert "error: " in capsys.readouterr().err


def test_encoding_bom_newlines_and_mode_bits_kept(tmp_path):
    latin = write(
        tmp_path / "latin.py",
        "# -*- coding: latin-1 -*-\nimport tensorflow_hub as hub\nname = 'café'\n".encode(
            "latin-1"
        ),
    )
    bom = write(tmp_path / "bom.py", codecs.BOM_UTF8 + LEGACY.encode())
    crlf = write(tmp_path / "crlf.py", LEGACY.replace("\n", "\r\n").encode())
    os.chmod(crlf, 0o755)
    assert main([str(tmp_path), "-q"]) == 0
    assert latin.read_bytes() == (
        "# -*- coding: latin-1 -*-\nimport hubcompat as hub\nname = 'café'\n".encode("latin-1")
    )
    assert bom.read_bytes() == codecs.BOM_UTF8 + MIGRATED.encode()
    assert crlf.read_bytes() == MIGRATED.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o755
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bom.py", "crlf.py", "latin.py"]


def test_symlink_is_written_through(tmp_path):
    real = write(tmp_path / "real" / "a.py", LEGACY)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert main([str(link), "-q"]) == 0
    assert link.is_symlink() and real.read_text() == MIGRATED


def test_unchanged_and_unrelated_files_keep_bytes_and_mtime(tmp_path):
    comment_only = write(tmp_path / "c.py", "# we used tensorflow_hub once\nx = 1\n")
    unrelated = write(tmp_path / "u.py", "import paddlehub as hub\nhub.Module(name='x')\n")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (comment_only, unrelated)}
    report = tmp_path / "r.json"
    assert main([str(tmp_path), "--report", str(report), "-q"]) == 0
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before
    counts = json.loads(report.read_text())["counts"]
    assert counts["unchanged"] == 1 and counts["no_tensorflow_hub_reference"] == 1


def test_text_that_would_not_compile_is_never_written(tmp_path, monkeypatch):
    class Broken(registry.by_name()["string_references"]):  # a buggy codemod: turns statements into `return`
        TRIGGERS = ("tensorflow_hub",)

        def leave_Expr(self, original_node, updated_node):
            self.modified = True
            return cst.Return(value=updated_node.value)

    path = write(tmp_path / "a.py", LEGACY + "print(hub)\n")
    monkeypatch.setattr(registry, "select", lambda *a, **k: [Broken])
    result = runner.migrate_file(path, runner.Options())
    assert result.status == "error" and "does not compile" in result.reason
    assert path.read_text() == LEGACY + "print(hub)\n"


def test_excluded_folders_and_config(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        '[tool.hubcompat]\ntarget = "modern"\nexclude = ["third_party"]\n',
    )
    src = write(tmp_path / "src" / "a.py", LEGACY)
    vendored = [
        write(tmp_path / d / "a.py", LEGACY)
        for d in (".venv/lib", "build", "third_party", "x.egg-info")
    ]
    assert main([str(tmp_path / "src"), str(tmp_path), "-q"]) == 0
    assert 'embed = hub.load("https' in src.read_text()  # modern from config
    assert all(p.read_text() == LEGACY for p in vendored)
    assert main([str(src), "--no-config", "--check", "-q"]) == 0  # hubcompat target: nothing left


def test_bad_config_and_bad_codemod_names_are_usage_errors(tmp_path, capsys):
    write(tmp_path / "pyproject.toml", "[tool.hubcompat]\njobs = 'two'\n")
    write(tmp_path / "a.py", LEGACY)
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path)])
    assert exit_.value.code == 2 and "jobs must be a int" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--no-config", "--only", "nope"])
    assert "unknown codemod 'nope'" in capsys.readouterr().err


def test_only_skip_and_list(tmp_path, capsys):
    path = write(tmp_path / "a.py", LEGACY)
    assert main(["--list-codemods"]) == 0
    listed = capsys.readouterr().out
    assert all(c.name() in listed for c in registry.all_codemods())
    assert main([str(path), "--target", "modern", "--only", "module_to_load", "-q"]) == 0
    text = path.read_text()
    assert "import tensorflow_hub as hub" in text and "hub.load(" in text
    write(tmp_path / "b.py", LEGACY)
    assert (
        main(
            [str(tmp_path / "b.py"), "--skip", "imports_to_hubcompat,string_references", "--check"]
        )
        == 0
    )


def test_markdown_and_json_report(tmp_path):
    write(
        tmp_path / "a.py",
        LEGACY + 'import unittest.mock\nunittest.mock.patch("tensorflow_hub.Module")\n',
    )
    md, js = tmp_path / "r.md", tmp_path / "r.json"
    assert main([str(tmp_path / "a.py"), "--report", str(md), "--report", str(js), "-q"]) == 0
    data = json.loads(js.read_text())
    (entry,) = data["files"]
    assert [c["codemod"] for c in entry["changes"]] == ["imports_to_hubcompat"]
    assert [(t["codemod"], t["line"]) for t in entry["todos"]] == [("string_references", 6)]
    text = md.read_text()
    assert "- changed: 1" in text
    assert f"- `{tmp_path / 'a.py'}: line 6`: TODO (`string_references`)" in text


def test_jobs_in_processes_never_import_tensorflow(tmp_path):
    for i in range(6):
        write(tmp_path / f"m{i}.py", LEGACY)
    write(tmp_path / "nb_py2.py", b"import tensorflow_hub\nprint 'x'\n")
    script = (
        "import sys\n"
        "from hubcompat.migrate.__main__ import main\n"
        f"code = main([{str(tmp_path)!r}, '--jobs', '2', '--target', 'modern', '-q'])\n"
        "assert not any(m == 'tensorflow' or m.startswith('tensorflow.') for m in sys.modules), 'TF imported'\n"
        "print('exit', code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "exit 3" in done.stdout
    assert all('hub.load("https' in (tmp_path / f"m{i}.py").read_text() for i in range(6))


def test_console_entry_and_module_help():
    done = subprocess.run(
        [sys.executable, "-m", "hubcompat.migrate", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "--check" in done.stdout and "--target" in done.stdout


def test_codemods_run_through_libcst_tool(tmp_path):
    # As docs/migrate.md shows it: no --no-format (the configured "formatter" passes
    # the code through byte for byte, CRLF included).
    path = tmp_path / "a.py"
    path.write_bytes(LEGACY.replace("\n", "\r\n").encode())
    done = subprocess.run(
        [
            sys.executable, "-m", "libcst.tool", "codemod",
            "imports_to_hubcompat.ImportsToHubcompatCommand", str(path),
        ],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Failed to codemod 0 files" in done.stderr
    assert path.read_bytes() == MIGRATED.replace("\n", "\r\n").encode()


def test_write_replaces_the_file_instead_of_truncating_it(tmp_path):
    # A reader holding the old file keeps reading the old bytes: the new text went to a
    # temp file in the same folder and was os.replace()d in (never half-written in place).
    path = write(tmp_path / "a.py", LEGACY)
    inode = path.stat().st_ino
    with open(path, "rb") as reader:
        assert main([str(path), "-q"]) == 0
        assert reader.read() == LEGACY.encode()
    assert path.read_text() == MIGRATED and path.stat().st_ino != inode
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]
