"""tfhub.dev handles (``https://tfhub.dev/<publisher>/<model>/<version>``).

tfhub.dev now redirects to Kaggle Models, and Kaggle often answers
tensorflow_hub's download with HTTP 403 (tensorflow/hub#922, #932). So: a copy
tensorflow_hub cached under ``sha1(handle)`` is used first; a handle whose
Kaggle equivalent is known is fetched from Kaggle directly (kagglehub when
installed); any other is requested from tfhub.dev as before.
"""

from __future__ import annotations

import urllib.parse

from hubcompat import cache, config, errors
from hubcompat.resolvers.base import Resolver
from hubcompat.resolvers.http import compressed_url, download_and_extract
from hubcompat.resolvers.kaggle import fetch_kaggle
from hubcompat.resolvers.kaggle_map import TFHUB_TO_KAGGLE

TFHUB_HOSTS = {"tfhub.dev", "www.tfhub.dev"}
CHINA_HOST = "hub.tensorflow.google.cn"
_CHINA_ARCHIVE = "https://gcs.tensorflow.google.cn/tfhub-modules/{}.tar.gz"


def model_name(handle: str) -> str | None:
    """``publisher/model/.../version`` of a tfhub.dev URL, or ``None``."""
    parsed = urllib.parse.urlparse(handle)
    if parsed.scheme not in ("http", "https") or parsed.hostname not in TFHUB_HOSTS | {CHINA_HOST}:
        return None
    name = parsed.path.strip("/")
    return name or None


def spellings(handle: str) -> list[str]:
    """The handle and the spellings of it tensorflow_hub may have cached it under."""
    name = model_name(handle)
    if name is None:
        return [handle]
    host = urllib.parse.urlparse(handle).hostname
    out = [handle]
    for scheme in ("https", "http"):
        for slash in ("", "/"):
            candidate = f"{scheme}://{host}/{name}{slash}"
            if candidate not in out:
                out.append(candidate)
    return out


def to_kaggle(handle: str, mapping: dict[str, str] | None = None) -> str | None:
    """The kagglehub handle tfhub.dev redirects ``handle`` to, when it is known."""
    name = model_name(handle)
    return None if name is None else (TFHUB_TO_KAGGLE if mapping is None else mapping).get(name)


class TfhubDevResolver(Resolver):
    """tfhub.dev and hub.tensorflow.google.cn handles, with their Kaggle equivalents."""

    description = "tfhub.dev handles (old cache first, then Kaggle when the mapping is known)"

    def __init__(self, kaggle_base: str = "https://www.kaggle.com", mapping: dict[str, str] | None = None):
        self.kaggle_base = kaggle_base
        self.mapping = TFHUB_TO_KAGGLE if mapping is None else mapping

    def is_supported(self, handle: str) -> bool:
        return model_name(handle) is not None

    def __call__(self, handle: str) -> str:
        for spelling in spellings(handle):
            hit = cache.lookup(spelling)
            if hit is not None:
                return hit
        if config.offline():
            raise errors.OfflineModeError(
                f"{handle!r} is not in the cache ({config.cache_dir()}, or tensorflow_hub's old "
                "cache) and HUBCOMPAT_OFFLINE is set. Point TFHUB_CACHE_DIR at the cache that has "
                "it, or resolve it once while online."
            )
        kaggle_handle = to_kaggle(handle, self.mapping)
        if kaggle_handle is not None:
            return fetch_kaggle(handle, kaggle_handle, self.kaggle_base)
        name = model_name(handle)
        if urllib.parse.urlparse(handle).hostname == CHINA_HOST:
            url = _CHINA_ARCHIVE.format(name)  # tensorflow_hub fetched the mirror's archive directly
        else:
            url = compressed_url(handle)
        return cache.fetch(handle, lambda folder: download_and_extract(url, folder, label=handle))
