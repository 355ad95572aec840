"""Writing a file so that a crash never leaves half of it: the one place that does it.

Every file hubcompat writes or rewrites for a user (migrated sources, module
definitions, cache descriptors, reference ``.npz`` files) goes through
:func:`atomic_writer`: a temporary file in the same folder, flushed and fsync'ed,
then ``os.replace``'d over the target. The old file or the new one is there,
never a mix. Standard library only (the migrate CLI imports it without TensorFlow).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _keep_owner(tmp: str, real: str, owner: tuple[int, int]) -> None:
    info = os.stat(tmp)
    if (info.st_uid, info.st_gid) == owner or not hasattr(os, "chown"):
        return
    try:
        os.chown(tmp, *owner)
    except PermissionError:
        raise PermissionError(
            errno.EPERM,
            f"rewriting it would change its owner/group from {owner[0]}:{owner[1]} to "
            f"{info.st_uid}:{info.st_gid} (run as its owner, or a member of its group)",
            real,
        ) from None


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` when the ``with`` block ends without error.

    An existing file keeps its mode bits, owner and group (a rename would give it
    ours: when they cannot be kept, ``PermissionError`` and nothing is written), and
    a symlink stays a symlink (its target is replaced); a new file gets the mode
    ``open`` would give it (0o666 less the umask). On error the temporary file is
    removed and ``path`` is untouched.
    """
    real = os.path.realpath(os.fspath(path))
    owner: tuple[int, int] | None = None
    try:
        info = os.stat(real)
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    folder, name = os.path.split(real)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".hubcompat-tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if owner is not None:
            _keep_owner(tmp, real, owner)
        os.chmod(tmp, mode)  # after chown, which may clear set-id bits
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replaces ``path``'s content with ``data`` (``str`` is written as UTF-8)."""
    with atomic_writer(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
