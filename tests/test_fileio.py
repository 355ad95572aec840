"""hubcompat._fileio: the one atomic writer (real files, real permissions)."""

from __future__ import annotations

import os
import stat

import pytest

from hubcompat._fileio import atomic_writer, write_atomic


def test_a_new_file_gets_the_mode_open_gives(tmp_path):
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.txt", "héllo")
    finally:
        os.umask(mask)
    assert (tmp_path / "new.txt").read_bytes() == "héllo".encode()
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_an_existing_file_keeps_its_mode_and_a_symlink_stays_one(tmp_path):
    target = tmp_path / "target.py"
    target.write_bytes(b"old")
    target.chmod(0o751)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751


def test_an_error_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "kept.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(path) as handle:
        handle.write(b"half")
        raise RuntimeError("crash")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.bin"]
