"""``http(s)://`` URLs of compressed archives (tfhub.dev's protocol, direct archive links)."""

from __future__ import annotations

import os
import urllib.parse

from hubcompat import archive, cache, download
from hubcompat.resolvers.base import Resolver

COMPRESSED_FORMAT_QUERY = ("tf-hub-format", "compressed")


def compressed_url(url: str) -> str:
    """``url`` with ``?tf-hub-format=compressed``, as tensorflow_hub requested modules.

    Left out when the URL already names an archive file or a format: a signed
    storage URL breaks if its query changes.
    """
    parsed = urllib.parse.urlparse(url)
    query = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
    if archive.is_archive_name(parsed.path) or any(k == COMPRESSED_FORMAT_QUERY[0] for k, _ in query):
        return url
    query.append(COMPRESSED_FORMAT_QUERY)
    return urllib.parse.urlunparse(parsed._replace(query=urllib.parse.urlencode(query)))


def download_and_extract(url: str, folder: str, *, label: str | None = None) -> dict:
    """Downloads the archive at ``url`` and unpacks it into ``folder``; returns marker facts.

    The archive goes next to ``folder`` (in the caller's private temp folder)
    and is deleted once unpacked.
    """
    archive_path = os.path.join(os.path.dirname(folder), "download.archive")
    got = download.download(url, archive_path, label=label)
    source = url if got.final_url == url else f"{url} (final URL {got.final_url})"
    archive.extract_file(archive_path, folder, source=source)
    os.remove(archive_path)
    return {"url": url, "final_url": got.final_url, "archive_bytes": got.size}


def is_http(handle: str) -> bool:
    return handle.lower().startswith(("http://", "https://"))


class HttpArchiveResolver(Resolver):
    """Any ``http(s)://`` URL that serves a tar archive, cached under ``sha1(handle)``."""

    description = "http(s):// URLs serving a .tar.gz (with ?tf-hub-format=compressed)"

    def is_supported(self, handle: str) -> bool:
        return is_http(handle)

    def __call__(self, handle: str) -> str:
        return cache.fetch(handle, lambda folder: download_and_extract(compressed_url(handle), folder, label=handle))
