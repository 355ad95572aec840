"""Hostile archives are refused and write nothing outside their target."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest

import hubcompat
from hubcompat import archive, errors

from tests.support.hub_server import genuine_archive, same_tree, tmp_entries
from tests.support.paths import GENUINE


class _Zeros(io.RawIOBase):
    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def _file(name: str, data: bytes = b"pwned") -> tuple[tarfile.TarInfo, io.BytesIO]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, io.BytesIO(data)


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def write_archive(path: Path, members: list) -> Path:
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        tar.addfile(*_file("saved_model.pb", b"not really"))
        for info, data in members:
            tar.addfile(info, data)
    return path


def hostile(tmp_path: Path) -> dict[str, list]:
    outside = tmp_path / "outside"
    return {
        "dot-dot": [_file("../outside/x")],
        "nested dot-dot": [_file("variables/../../outside/x")],
        "absolute path": [_file(str(outside / "abs"))],
        "symlink out": [_special("link", tarfile.SYMTYPE, str(outside)), _file("link/x")],
        "relative symlink out": [_special("variables/link", tarfile.SYMTYPE, "../../outside/x")],
        "hardlink out": [_special("hard", tarfile.LNKTYPE, str(outside / "target"))],
        "hardlink dot-dot": [_special("hard", tarfile.LNKTYPE, "../outside/target")],
        "fifo": [_special("pipe", tarfile.FIFOTYPE)],
        "char device": [_special("null", tarfile.CHRTYPE)],
        "block device": [_special("disk", tarfile.BLKTYPE)],
    }


CASES = sorted(hostile(Path("/x")))


def outside_files(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "outside").rglob("*"))


@pytest.mark.parametrize("case", CASES)
def test_hostile_member_is_refused_by_extract(tmp_path, case):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "target").write_bytes(b"keep")
    path = write_archive(tmp_path / "evil.tar.gz", hostile(tmp_path)[case])
    target = tmp_path / "target"
    target.mkdir()

    with pytest.raises(errors.UnsafeArchiveError, match="refus"):
        archive.extract_file(str(path), str(target))

    assert outside_files(tmp_path) == ["outside/target"]
    assert (tmp_path / "outside" / "target").read_bytes() == b"keep"
    assert not any(p.is_symlink() for p in target.rglob("*"))
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("case", CASES)
def test_hostile_archive_handle_publishes_nothing(cache_dir, tmp_path, case):
    (tmp_path / "outside").mkdir()
    path = write_archive(tmp_path / "evil.tar.gz", hostile(tmp_path)[case])

    with pytest.raises(errors.UnsafeArchiveError) as info:
        hubcompat.resolve(str(path))

    assert str(path) in str(info.value)
    assert outside_files(tmp_path) == []
    assert [n for n in os.listdir(cache_dir) if not n.endswith(".lock")] == []


def test_decompression_bomb_is_stopped_at_the_size_limit(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_MAX_ARCHIVE_BYTES", str(1 << 20))
    bomb = tmp_path / "bomb.tar.gz"
    info = tarfile.TarInfo("variables/variables.data-00000-of-00001")
    info.size = 64 << 20
    write_archive(bomb, [(info, _Zeros(info.size))])
    assert bomb.stat().st_size < (1 << 20) // 2  # under the limit on disk, 64 MiB unpacked

    with pytest.raises(errors.UnsafeArchiveError, match="decompression bomb"):
        hubcompat.resolve(str(bomb))
    assert [n for n in os.listdir(cache_dir) if not n.endswith(".lock")] == []


def test_too_many_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_MAX_ARCHIVE_MEMBERS", "100")
    path = write_archive(tmp_path / "many.tar.gz", [_file(f"f{i}", b"") for i in range(150)])
    (tmp_path / "t").mkdir()
    with pytest.raises(errors.UnsafeArchiveError, match="more than 100 members"):
        archive.extract_file(str(path), str(tmp_path / "t"))


def test_truncated_and_non_archives_are_corrupt(tmp_path):
    good = genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes()
    (tmp_path / "t").mkdir()
    for name, data in [("half.tar.gz", good[: len(good) // 2]), ("html.tar.gz", b"<html>403</html>"), ("empty.tar", b"")]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(errors.CorruptArchiveError, match=name):
            archive.extract_file(str(tmp_path / name), str(tmp_path / "t"))


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz", ".tar"])
def test_genuine_archives_extract_in_every_suffix(cache_dir, tmp_path, suffix):
    """Odd owners and sticky-bit folders (half_plus_two_v1) are fine; links and devices are not."""
    for name, folder in [("upstream/half_plus_two_v1.tar.gz", None), ("text_embed.tar.gz", "text_embed")]:
        src = genuine_archive(name, tmp_path)
        data = src.read_bytes()
        local = tmp_path / f"{src.name.split('.')[0]}{suffix}"
        local.write_bytes(gzip.decompress(data) if suffix == ".tar" else data)

        path = hubcompat.resolve(str(local))

        assert hubcompat.detect_format(path) == hubcompat.ModelFormat.TF1_HUB
        if folder:
            assert same_tree(Path(path), GENUINE / folder)
        assert all(not (os.stat(p).st_mode & 0o7000) for p in Path(path).rglob("*"))
        assert hubcompat.resolve(f"file://{local}") == path
    assert tmp_entries(cache_dir) == []


def test_rebuilt_local_archive_is_unpacked_again(cache_dir, tmp_path):
    local = tmp_path / "m.tar.gz"
    shutil.copyfile(genuine_archive("mlp_bn.tar.gz", tmp_path), local)
    first = hubcompat.resolve(str(local))
    shutil.copyfile(genuine_archive("text_embed.tar.gz", tmp_path), local)
    second = hubcompat.resolve(str(local))
    assert first != second and same_tree(Path(second), GENUINE / "text_embed")
