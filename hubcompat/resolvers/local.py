"""Local folders, local archives and ``file://`` URLs."""

from __future__ import annotations

import difflib
import os
import urllib.parse
import urllib.request

from hubcompat import archive, cache
from hubcompat.resolvers.base import Resolver


def local_path(handle: str) -> str | None:
    """The filesystem path a handle names: itself, or a ``file://`` URL's path; else ``None``."""
    if handle.startswith("file://"):
        parsed = urllib.parse.urlparse(handle)
        if parsed.netloc not in ("", "localhost"):
            return None
        return urllib.request.url2pathname(parsed.path)
    if "://" in handle:
        return None
    return os.path.expanduser(handle)


def did_you_mean(handle: str) -> str | None:
    """For a local path that does not exist: the existing path it most likely meant,
    spelled like ``handle`` (relative stays relative), else ``None``.

    Each missing part is replaced by its closest sibling (``difflib``, as Python's
    own "Did you mean" does), from the deepest folder that exists down.
    """
    path = local_path(handle)
    if path is None or os.path.exists(path) or not path:
        return None
    parts = os.path.normpath(path).split(os.sep)
    head = os.sep if os.path.isabs(path) else ""
    found = 0  # parts[:found] exist
    while found < len(parts) and os.path.exists(os.path.join(head, *parts[: found + 1])):
        found += 1
    fixed = parts[:found]
    for part in parts[found:]:
        folder = os.path.join(head, *fixed) if fixed else (head or os.curdir)
        try:
            names = [n for n in os.listdir(folder) if not n.startswith(".") or part.startswith(".")]
        except OSError:
            return None
        close = difflib.get_close_matches(part, names, n=1, cutoff=0.6)
        if not close:
            return None
        fixed.append(close[0])
    guess = os.path.join(head, *fixed)
    if handle.startswith("file://"):
        return urllib.parse.urlunparse(("file", "", urllib.request.pathname2url(guess), "", "", ""))
    if handle.startswith("~"):
        home = os.path.expanduser("~")
        guess = "~" + guess[len(home) :] if guess.startswith(home) else guess
    return guess


class LocalFolderResolver(Resolver):
    """An existing local folder (or ``.keras`` file), given as a path or ``file://`` URL."""

    description = "an existing local folder or file, or a file:// URL of one"

    def is_supported(self, handle: str) -> bool:
        path = local_path(handle)
        return path is not None and os.path.exists(path) and not (
            os.path.isfile(path) and archive.is_archive_name(path)
        )

    def __call__(self, handle: str) -> str:
        path = local_path(handle)
        assert path is not None
        return os.path.abspath(path)


class LocalArchiveResolver(Resolver):
    """A local ``.tar.gz`` / ``.tgz`` / ``.tar`` file, unpacked once into the cache."""

    description = "a local .tar.gz, .tgz or .tar archive (path or file:// URL)"

    def is_supported(self, handle: str) -> bool:
        path = local_path(handle)
        return path is not None and os.path.isfile(path) and archive.is_archive_name(path)

    def __call__(self, handle: str) -> str:
        path = os.path.abspath(local_path(handle) or handle)
        stat = os.stat(path)
        # The key changes when the archive does, so a rebuilt archive is unpacked again.
        key = f"file://{path}#size={stat.st_size}&mtime_ns={stat.st_mtime_ns}"

        def fill(folder: str) -> dict:
            archive.extract_file(path, folder)
            return {"source": path}

        return cache.fetch(key, fill, needs_network=False)
