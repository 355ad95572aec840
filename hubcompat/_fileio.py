"""Writing a file so that a crash never leaves half of it: the one place that does it.

Every file hubcompat writes or rewrites for a user (migrated sources, module
definitions, cache descriptors, reference ``.npz`` files) goes through
:func:`atomic_writer`: a temporary file in the same folder, flushed and fsync'ed,
then ``os.replace``'d over the target. The old file or the new one is there,
never a mix. Standard library only (the migrate CLI imports it without TensorFlow).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` when the ``with`` block ends without error.

    An existing file keeps its mode bits, and a symlink stays a symlink (its target
    is replaced); a new file gets the mode ``open`` would give it (0o666 less the
    umask). On error the temporary file is removed and ``path`` is untouched.
    """
    real = os.path.realpath(os.fspath(path))
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    folder, name = os.path.split(real)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".hubcompat-tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replaces ``path``'s content with ``data`` (``str`` is written as UTF-8)."""
    with atomic_writer(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
