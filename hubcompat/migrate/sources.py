"""Finding, reading and writing source files, byte-faithfully.

- ``iter_files``: ``.py`` / ``.ipynb`` and dependency declarations
  (``requirements*.txt``, ``setup.cfg``, ``pyproject.toml``) under the given paths, minus excluded
  folders (``.venv``, ``build``, ...); paths named explicitly are always taken.
- ``read_source``: bytes -> text with the encoding of the coding cookie / BOM
  (PEP 263, like the interpreter; tf_upgrade_v2 used the locale encoding),
  keeping newlines as they are.
(Writing back is ``hubcompat._fileio.write_atomic``.)
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hubcompat.migrate.dependencies import is_dependency_file

SUFFIXES = (".py", ".pyi", ".ipynb")
DEFAULT_EXCLUDES = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "build", "dist",
        "__pycache__", ".tox", ".nox", ".eggs", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", "node_modules", "site-packages", ".ipynb_checkpoints",
    }
)  # fmt: skip


def iter_files(paths: Iterable[str | Path], exclude: Iterable[str] = ()) -> Iterator[Path]:
    """Source files under ``paths`` in a stable order, each once."""
    excluded = DEFAULT_EXCLUDES | set(exclude)
    seen: set[Path] = set()
    for root in map(Path, paths):
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = _walk(root, excluded)
        else:
            raise _missing(root)
        for path in candidates:
            key = path.absolute()
            if key not in seen:
                seen.add(key)
                yield path


def _missing(root: Path) -> OSError:
    """Why a path given on the command line is neither a file nor a folder."""
    try:
        root.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return OSError(exc.errno, f"{root}: a symlink loop (the link leads back to "
                           "itself): point it at a real file or folder, or leave it out")
        if root.is_symlink():
            return FileNotFoundError(
                exc.errno, f"{root}: a symlink to {os.readlink(root)!r}, which does not exist")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return PermissionError(exc.errno, f"{root}: permission denied")
        return FileNotFoundError(exc.errno, f"{root}: no such file or folder")
    return OSError(errno.EINVAL, f"{root}: not a file or folder (a device or pipe?)")


def _walk(root: Path, excluded: frozenset[str] | set[str]) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in excluded and not d.endswith(".egg-info"))
        for name in sorted(files):
            if name.endswith(SUFFIXES) or is_dependency_file(os.path.join(folder, name)):
                yield Path(folder, name)


@dataclass(frozen=True)
class Source:
    """A file's text plus what is needed to write it back byte for byte."""

    text: str
    encoding: str
    bom: bool


def decode(data: bytes) -> Source:
    """Decode like the interpreter does: BOM, then the coding cookie, else UTF-8."""
    bom = data.startswith(codecs.BOM_UTF8)
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    return Source(text=body.decode(encoding), encoding=encoding, bom=bom)


def encode(source: Source, text: str) -> bytes:
    data = text.encode(source.encoding)
    return codecs.BOM_UTF8 + data if source.bom else data
