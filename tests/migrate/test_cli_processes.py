"""The command line as a user runs it, in real processes: no traceback on a closed pipe
or Ctrl-C, read-only files left alone, one sentence per file that cannot be read."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hubcompat.migrate import runner

REPO = Path(__file__).resolve().parents[2]
LEGACY = 'import tensorflow_hub as hub\n\nembed = hub.Module("https://tfhub.dev/google/nnlm-en-dim128/1")\n'
MIGRATED = LEGACY.replace("import tensorflow_hub as hub", "import hubcompat as hub")
CLI = [sys.executable, "-m", "hubcompat.migrate", "--no-progress"]


def run(*args: str | Path, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=300, **kw
    )


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "Error:" not in stderr.replace("error:", ""), stderr


@pytest.mark.heavy
def test_a_closed_pipe_ends_quietly(tmp_path):
    # `hubcompat-migrate --diff src | head -1`: head is gone long before the last diff.
    text = "tensorflow-hub==0.7\n" * 2000
    for i in range(20):
        (tmp_path / f"d{i:02d}").mkdir()
        (tmp_path / f"d{i:02d}" / "requirements.txt").write_text(text)
    read, write = os.pipe()
    head = subprocess.Popen(["head", "-1"], stdin=read, stdout=subprocess.PIPE)
    migrate = subprocess.Popen(
        [*CLI, "--diff", str(tmp_path)], cwd=REPO, stdout=write, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    os.close(read)  # only the two processes hold the pipe now
    os.close(write)
    first, _ = head.communicate(timeout=300)
    _, err = migrate.communicate(timeout=300)
    assert first.decode().startswith("--- ")
    assert migrate.returncode == 141, err
    no_traceback(err)
    assert "BrokenPipe" not in err
    assert all(p.read_text() == text for p in tmp_path.glob("*/requirements.txt"))


def _many(folder: Path, count: int) -> bytes:
    # Big enough that a run over them takes seconds, so Ctrl-C comes in the middle.
    body = LEGACY + "".join(
        f"\ndef f{i}(x):\n    return [embed([x]), x, {{'a': {i}}}]\n" for i in range(60)
    )
    folder.mkdir()
    for i in range(count):
        (folder / f"m{i:03d}.py").write_text(body)
    return body.encode()


@pytest.mark.heavy
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_prints_one_line_leaves_every_file_whole_and_a_rerun_finishes(tmp_path, jobs):
    old = _many(tmp_path / "src", 40)
    one = tmp_path / "one.py"
    one.write_bytes(old)
    assert runner.migrate_file(one, runner.Options()).status == "changed"
    new = one.read_bytes()
    proc = subprocess.Popen(
        [*CLI, "--jobs", jobs, str(tmp_path / "src")], cwd=REPO, stderr=subprocess.PIPE,
        text=True, start_new_session=True,  # its own process group, as a terminal's job is
    )  # fmt: skip
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:  # Ctrl-C once the first file has been rewritten
        lines.append(line)
        if line.startswith("rewrote "):
            os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends to the whole group
            break
    lines += proc.stderr.readlines()
    assert proc.wait(timeout=300) == 130, "".join(lines)
    err = "".join(lines)
    no_traceback(err)
    assert "KeyboardInterrupt" not in err
    last = lines[-1]
    assert last.startswith("hubcompat-migrate: interrupted: rewrote ") and "rerun" in last
    files = sorted((tmp_path / "src").iterdir())
    rewritten = [f for f in files if f.read_bytes() == new]
    untouched = [f for f in files if f.read_bytes() == old]
    assert len(rewritten) + len(untouched) == len(files)  # each file whole: old or new
    assert untouched, "the run finished before Ctrl-C took effect"
    assert sorted(line.split(" ", 1)[1].strip() for line in lines if line.startswith("rewrote ")) \
        == [str(f) for f in rewritten]  # fmt: skip
    assert f"rewrote {len(rewritten)} files" in last
    assert f"{len(untouched)} of {len(files)} not looked at" in last
    assert not [p for p in (tmp_path / "src").iterdir() if p.suffix != ".py"]  # no temp files
    rerun = run(tmp_path / "src")
    assert rerun.returncode == 0, rerun.stderr
    assert all(f.read_bytes() == new for f in files)


@pytest.mark.heavy
def test_read_only_files_are_left_alone_unless_forced(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(LEGACY)
    path.chmod(0o444)
    done = run(tmp_path)
    assert done.returncode == 3
    assert path.read_text() == LEGACY and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert f"{path}: error: read-only (mode 0444)" in done.stderr and "--force" in done.stderr
    assert any(line.startswith("changed 0, ") and "read-only (left unchanged) 1" in line
               for line in done.stderr.splitlines())  # the counts line of the summary
    forced = run(tmp_path, "--force")
    assert forced.returncode == 0, forced.stderr
    assert path.read_text() == MIGRATED and stat.S_IMODE(path.stat().st_mode) == 0o444


def _other_owner() -> tuple[int, int] | None:
    if os.geteuid() == 0:
        return 4321, 8765  # root may give a file any owner
    groups = [g for g in os.getgroups() if g != os.getegid()]
    return (os.geteuid(), groups[0]) if groups else None


def test_a_rewritten_file_keeps_its_owner_group_and_mode(tmp_path):
    owner = _other_owner()
    if owner is None:
        pytest.skip("needs root or a second group to give the file another group")
    path = tmp_path / "a.py"
    path.write_text(LEGACY)
    os.chown(path, *owner)
    path.chmod(0o640)
    assert runner.migrate_file(path, runner.Options()).status == "changed"
    info = path.stat()
    assert path.read_text() == MIGRATED
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (*owner, 0o640)


@pytest.mark.heavy
def test_each_file_that_cannot_be_read_gets_one_sentence_with_the_fix(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "latin.py").write_bytes("import tensorflow_hub as hub\nname = 'café'\n".encode("latin-1"))
    (src / "binary.py").write_bytes(b"import tensorflow_hub as hub\n\x00\x01\x02\xff")
    (src / "cookie.py").write_bytes(b"# -*- coding: no-such-codec -*-\nimport tensorflow_hub\n")
    (src / "loop.py").symlink_to("loop.py")
    (src / "gone.py").symlink_to("moved_away.py")
    (src / "good.py").write_text(LEGACY)
    done = run(src)
    assert done.returncode == 3
    no_traceback(done.stderr)
    errors = {
        line.split(": error: ")[0]: line.split(": error: ")[1]
        for line in done.stderr.splitlines() if ": error: " in line
    }  # fmt: skip
    assert errors.keys() == {
        str(src / n) for n in ("latin.py", "binary.py", "cookie.py", "loop.py", "gone.py")
    }
    assert "a symlink to 'moved_away.py', which does not exist" in errors[str(src / "gone.py")]
    latin = errors[str(src / "latin.py")]
    assert "not UTF-8 (byte 0xe9 on line 2)" in latin and "coding: latin-1" in latin
    assert "binary file" in errors[str(src / "binary.py")]
    assert "'no-such-codec'" in errors[str(src / "cookie.py")]
    assert "symlink loop" in errors[str(src / "loop.py")]
    assert all(reason.endswith("left unchanged") and reason.count(". ") == 0
               for reason in errors.values())  # fmt: skip
    assert (src / "good.py").read_text() == MIGRATED
    assert (src / "latin.py").read_bytes() == "import tensorflow_hub as hub\nname = 'café'\n".encode("latin-1")

    explicit = run(src / "loop.py")  # named on the command line: no usage text
    assert explicit.returncode == 2
    assert explicit.stderr == (
        f"hubcompat-migrate: error: {src / 'loop.py'}: a symlink loop (the link leads back to "
        "itself): point it at a real file or folder, or leave it out\n"
    )
    missing = run(src / "nope.py")
    assert missing.returncode == 2 and "usage:" not in missing.stderr
    assert "nope.py: no such file or folder" in missing.stderr


def test_setup_py_tensorflow_pins_are_flagged_like_requirements_files(tmp_path):
    from hubcompat.migrate.__main__ import main

    setup = tmp_path / "setup.py"
    setup.write_text(textwrap.dedent("""\
        from setuptools import setup

        setup(name="demo", install_requires=["tensorflow<2", "tensorflow-hub==0.7"])
    """))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow<2\ntensorflow-hub==0.7\n")
    lone = tmp_path / "tools" / "setup.py"  # no tensorflow-hub: its TensorFlow pin is not ours
    lone.parent.mkdir()
    lone.write_text('import tensorflow_hub\nsetup(install_requires=["tensorflow<2"])\n')
    report = tmp_path / "report.json"
    assert main([str(tmp_path), "--requirement", "hubcompat==0.1.0", "--report", str(report),
                 "-q"]) == 0  # fmt: skip
    todos = {
        Path(f["path"]).relative_to(tmp_path).as_posix(): [t["message"] for t in f["todos"]]
        for f in json.loads(report.read_text())["files"]
    }
    pin = "'tensorflow<2' excludes TensorFlow 2.13+, which hubcompat needs: update this pin by hand"
    assert todos["requirements.txt"] == [pin]
    assert todos["setup.py"] == [pin]
    assert not todos.get("tools/setup.py")
    assert '"hubcompat==0.1.0"' in setup.read_text()
    assert f"# TODO(hubcompat): {pin}\nsetup(" in setup.read_text()
