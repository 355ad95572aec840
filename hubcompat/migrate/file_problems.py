"""Why a file cannot be migrated, in one sentence naming the cause and the fix.

The runner asks these before it parses or writes: a file that cannot be read
(symlink loop, dangling link, permissions), is binary, is not in the encoding it
declares (or declares none and is not UTF-8), or is read-only gets one reason
and is left exactly as it is. Messages never repeat the path (the result
carries it) and end with "left unchanged".
"""

from __future__ import annotations

import errno
import os
import stat

from hubcompat.migrate.sources import decode

#: How much of a file is looked at for NUL bytes (what ``git`` and ``grep`` do).
_BINARY_PROBE = 8192


def cannot_read(path: str, exc: OSError) -> str:
    """The reason for an ``OSError`` from reading ``path``."""
    if exc.errno == errno.ELOOP:
        return (
            "a symlink loop (the link leads back to itself): point it at a real file "
            "or remove it; left unchanged"
        )
    if os.path.islink(path) and not os.path.exists(path):
        return (
            f"a symlink to {os.readlink(path)!r}, which does not exist: fix or remove "
            "the link; left unchanged"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read (permission denied): make it readable; left unchanged"
    if exc.errno == errno.EISDIR:
        return "a folder, not a file; left unchanged"
    return f"cannot be read ({exc.strerror or exc}); left unchanged"


def cannot_write(exc: OSError) -> str:
    """The reason for an ``OSError`` from writing a file back (nothing was written)."""
    if exc.errno == errno.EPERM and exc.strerror and "owner/group" in exc.strerror:
        return f"{exc.strerror}; left unchanged"  # hubcompat._fileio's refusal
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            "cannot be written (its folder is not writable, or the file system is read-only): "
            "fix the permissions; left unchanged"
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "cannot be written (the disk or quota is full): free some space; left unchanged"
    return f"cannot be written ({exc.strerror or exc}); left unchanged"


def undecodable(path: str, data: bytes) -> str | None:
    """Why ``data`` (the bytes of ``path``) is not text this tool can edit, else ``None``."""
    if b"\0" in data[:_BINARY_PROBE]:
        return (
            "a binary file (it has NUL bytes), not Python source or a notebook: "
            "rename it or move it out of the tree; left unchanged"
        )
    if path.endswith(".ipynb"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return (
                f"not UTF-8 ({_where(data, exc)}), which every notebook is: re-save it "
                "from Jupyter; left unchanged"
            )
        return None
    try:
        decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        cookie = _cookie(data)
        if isinstance(exc, LookupError) or (cookie and not _known(cookie)):
            return (
                f"its coding cookie names an encoding Python does not know ({cookie!r}): "
                "fix its coding line (PEP 263); left unchanged"
            )
        start = exc.start if isinstance(exc, UnicodeDecodeError) else _first_bad(data)
        where = _where(data, start)
        if cookie:
            return (
                f"not in the {cookie} encoding its coding cookie declares ({where}): fix "
                "the cookie or the file's bytes; left unchanged"
            )
        return (
            f"not UTF-8 ({where}) and no coding cookie says what it is: add one such as "
            "'# -*- coding: latin-1 -*-' as its first or second line (PEP 263), or save "
            "it as UTF-8; left unchanged"
        )
    return None


def read_only(path: str) -> str | None:
    """A reason when ``path`` is read-only (no write bit, or not writable by us), else None.

    The mode bits count even for root, who may write anything: a 0444 file was made
    read-only on purpose, and the atomic rename would get around it.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    if mode & 0o222 and os.access(path, os.W_OK):
        return None
    return (
        f"read-only (mode {mode:04o}): make it writable, or pass --force to rewrite it "
        "keeping its mode; left unchanged"
    )


def _cookie(data: bytes) -> str | None:
    import re

    for line in data.splitlines()[:2]:
        match = re.match(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", line)
        if match:
            return match.group(1).decode("ascii")
    return None


def _known(encoding: str) -> bool:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _first_bad(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _where(data: bytes, start: int | UnicodeDecodeError) -> str:
    offset = start.start if isinstance(start, UnicodeDecodeError) else start
    line = data.count(b"\n", 0, offset) + 1
    return f"byte 0x{data[offset]:02x} on line {line}" if offset < len(data) else f"line {line}"
