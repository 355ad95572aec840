"""The cache under real concurrent and killed processes."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys

import pytest

import hubcompat
from hubcompat import cache

from tests.support.hub_server import (
    genuine_archive,
    python_resolve,
    same_tree,
)
from tests.support.paths import GENUINE, REPO

pytestmark = pytest.mark.heavy


def test_eight_processes_share_one_download(cache_dir, server, tmp_path):
    body = genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes()
    # Slow enough that all eight are running while the first one downloads.
    server.add("/google/mlp_bn/1", body, slow=1.0)
    handle = server.url("/google/mlp_bn/1")

    procs = [
        subprocess.Popen(python_resolve(handle), cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    results = [p.communicate(timeout=60) for p in procs]

    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in results]
    paths = {out.strip() for out, _ in results}
    assert paths == {str(cache_dir / hashlib.sha1(handle.encode()).hexdigest())}
    assert server.counts["/google/mlp_bn/1"] == 1
    name = paths.pop()
    assert same_tree(cache_dir / name, GENUINE / "mlp_bn")
    assert sorted(os.listdir(cache_dir)) == [os.path.basename(name), f"{os.path.basename(name)}.descriptor.txt"]


def test_download_killed_halfway_does_not_block_the_next_one(cache_dir, server, tmp_path):
    body = genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes()
    route = server.add("/google/mlp_bn/1", body, mode="stall")
    handle = server.url("/google/mlp_bn/1")
    victim = subprocess.Popen(python_resolve(handle), cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert route.half_sent.wait(30), "the download never started"
        # It holds the lock and its temp folder when it dies.
        assert any(n.endswith(".hubcompat.tmp") for n in os.listdir(cache_dir))
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    route.mode = "ok"  # the next download is allowed to finish

    # The next load runs at once: the kernel dropped the dead process's lock
    # (tensorflow_hub waited 10 minutes for its lock file to go stale).
    proc = subprocess.run(python_resolve(handle), cwd=REPO, env={**os.environ, "HUBCOMPAT_LOCK_TIMEOUT": "5"}, capture_output=True, text=True, timeout=60)

    assert proc.returncode == 0, proc.stderr
    path = proc.stdout.strip()
    assert same_tree(cache_dir / os.path.basename(path), GENUINE / "mlp_bn")
    assert hubcompat.detect_format(path) == hubcompat.ModelFormat.TF1_HUB
    # The dead process's leftovers (temp folder, lock file) are gone.
    assert sorted(os.listdir(cache_dir)) == [os.path.basename(path), f"{os.path.basename(path)}.descriptor.txt"]
    assert server.counts["/google/mlp_bn/1"] == 2


def test_leftovers_of_live_processes_are_kept(cache_dir):
    cache_dir.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    host = cache._HOST
    mine = cache_dir / f"{'a' * 40}.{host}.{os.getpid()}.0000{cache.TMP_SUFFIX}"
    stale = cache_dir / f"{'b' * 40}.{host}.{dead}.0000{cache.TMP_SUFFIX}"
    other_host = cache_dir / f"{'c' * 40}.otherhost.{dead}.0000{cache.TMP_SUFFIX}"
    for d in (mine, stale, other_host):
        d.mkdir()
    # A lock a killed process left, and one a live process holds.
    dropped = cache_dir / f"{'d' * 40}{cache.LOCK_SUFFIX}"
    dropped.write_text("")
    held = cache_dir / f"{'e' * 40}{cache.LOCK_SUFFIX}"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT);"
         " fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()", str(held)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        assert sorted(cache.clean_leftovers(str(cache_dir))) == sorted([str(dropped), str(stale)])
        assert mine.exists() and other_host.exists() and held.exists()
    finally:
        holder.communicate("")


def _stderr_of_resolve(handle: str, *, tty: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("HUBCOMPAT_PROGRESS", "TFHUB_DOWNLOAD_PROGRESS")}
    if not tty:
        return subprocess.run(python_resolve(handle), cwd=REPO, env=env, capture_output=True, text=True, timeout=60).stderr
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # tqdm draws nothing at width 0
    proc = subprocess.Popen(python_resolve(handle), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0, b"".join(chunks)
    return b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal(cache_dir, server, tmp_path):
    pytest.importorskip("fcntl")  # a pseudo-terminal needs Unix
    body = genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes()
    server.add("/tty/1", body)
    server.add("/pipe/1", body)
    assert "Downloading" in _stderr_of_resolve(server.url("/tty/1"), tty=True)
    assert _stderr_of_resolve(server.url("/pipe/1"), tty=False) == ""
