"""Local folders, local archives and ``file://`` URLs."""

from __future__ import annotations

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
