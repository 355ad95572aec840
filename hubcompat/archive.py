"""Safe extraction of model archives (``.tar``, ``.tar.gz``, ``.tgz``).

Hub archives hold only folders and regular files, so anything else is refused
rather than skipped: links (a symlink or hardlink can point outside the
target), FIFOs and devices, absolute names, ``..`` components. Limits on the
total unpacked size and the member count stop decompression bombs. Files are
written by this module (never ``TarFile.extract``) with ``O_NOFOLLOW`` and no
owner, setuid or sticky bits; where Python has it, ``tarfile.data_filter`` is
run on every member as a second, independent check.

Extraction goes into a fresh folder the caller owns; on any error the caller
deletes that folder, so a refused archive publishes nothing.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tarfile
import zlib
from collections.abc import Callable
from typing import IO

from hubcompat import config, errors

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
_CHUNK = 1 << 20


def is_archive_name(name: str) -> bool:
    """True when ``name`` (a path or URL path) ends like a tar archive."""
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def extract(
    fileobj: IO[bytes],
    dst: str,
    *,
    source: str,
    max_bytes: int | None = None,
    max_members: int | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> int:
    """Extracts the tar stream ``fileobj`` into the existing folder ``dst``.

    ``source`` names the archive in error messages. Returns the number of
    bytes written. Raises ``UnsafeArchiveError`` or ``CorruptArchiveError``.
    """
    max_bytes = config.max_archive_bytes() if max_bytes is None else max_bytes
    max_members = config.max_archive_members() if max_members is None else max_members
    dst = os.path.realpath(dst)
    total = members = 0
    try:
        # "r|*" streams: members are checked and written one by one, so a bomb
        # is stopped when it passes the limit, not after it is decompressed.
        with tarfile.open(fileobj=fileobj, mode="r|*") as tar:
            for member in tar:
                members += 1
                if members > max_members:
                    raise errors.UnsafeArchiveError(
                        f"{source} has more than {max_members} members; refusing it as a possible "
                        "archive bomb. Raise HUBCOMPAT_MAX_ARCHIVE_MEMBERS if you trust it."
                    )
                rel = _check_member(member, dst, source)
                if member.isfile():
                    total += member.size
                    if total > max_bytes:
                        raise errors.UnsafeArchiveError(
                            f"{source} unpacks to more than {max_bytes} bytes; refusing it as a "
                            "possible decompression bomb. Raise HUBCOMPAT_MAX_ARCHIVE_BYTES if you "
                            "trust it."
                        )
                if rel is None:
                    continue
                target = os.path.join(dst, *rel.split("/"))
                if member.isdir():
                    os.makedirs(target, exist_ok=True)
                else:
                    src = tar.extractfile(member)
                    assert src is not None  # regular files always have data
                    _write_file(src, target, member.mode, on_bytes)
    except (tarfile.ReadError, tarfile.CompressionError, EOFError, zlib.error) as e:
        raise errors.CorruptArchiveError(
            f"{source} is not a readable tar archive or is truncated ({e}). "
            "Fetch it again; if it keeps failing, the file on the server is damaged."
        ) from e
    except tarfile.StreamError as e:
        raise errors.CorruptArchiveError(f"{source} could not be read as a stream ({e}).") from e
    if members == 0:
        raise errors.CorruptArchiveError(f"{source} is an empty archive: there is no model in it.")
    return total


def extract_file(path: str, dst: str, *, source: str | None = None,
                 max_bytes: int | None = None, max_members: int | None = None,
                 on_bytes: Callable[[int], None] | None = None) -> int:
    """Extracts the archive file at ``path`` into ``dst``; see :func:`extract`."""
    with open(path, "rb") as f:
        return extract(f, dst, source=source or path, max_bytes=max_bytes,
                       max_members=max_members, on_bytes=on_bytes)


def _check_member(member: tarfile.TarInfo, dst: str, source: str) -> str | None:
    """Returns the member's clean relative path (``None`` for the root), or raises."""
    name = member.name
    if not (member.isfile() or member.isdir()):
        kind = _kind(member)
        link = f" -> {member.linkname!r}" if member.issym() or member.islnk() else ""
        raise errors.UnsafeArchiveError(
            f"{source} holds {kind} {name!r}{link}; model archives hold only files and folders, "
            "so it is refused."
        )
    if "\x00" in name or "\\" in name:
        raise errors.UnsafeArchiveError(f"{source} holds a member with an invalid name {name!r}.")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise errors.UnsafeArchiveError(
            f"{source} holds the absolute path {name!r}; refusing to write outside the target."
        )
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise errors.UnsafeArchiveError(
            f"{source} holds the path {name!r} with '..'; refusing to write outside the target."
        )
    if hasattr(tarfile, "data_filter"):
        try:
            tarfile.data_filter(member, dst)
        except tarfile.FilterError as e:
            raise errors.UnsafeArchiveError(f"{source}: member {name!r} refused ({e}).") from e
    return posixpath.join(*parts) if parts else None


def _kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "the symbolic link"
    if member.islnk():
        return "the hard link"
    if member.isfifo():
        return "the FIFO"
    if member.ischr() or member.isblk():
        return "the device"
    return f"a member of tar type {member.type!r}"


def _write_file(src: IO[bytes], target: str, mode: int, on_bytes: Callable[[int], None] | None) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.lexists(target):  # a later member of the same name wins, as in tar
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        else:
            os.unlink(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    # Keep only the user/group/other rwx bits, and always let the owner read and write.
    fd = os.open(target, flags, (mode & 0o777) | 0o600)
    with os.fdopen(fd, "wb") as out:
        while True:
            chunk = src.read(_CHUNK)
            if not chunk:
                break
            out.write(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
