"""Kaggle Models: ``https://www.kaggle.com/models/...`` URLs and ``owner/model/framework/variation/version`` handles.

With the ``kaggle`` extra (``kagglehub``) installed, kagglehub downloads
(and handles credentials for gated models); without it, the public
``?tf-hub-format=compressed`` download tensorflow_hub 0.16 used is tried.
"""

from __future__ import annotations

import importlib.util
import os
import re
import urllib.parse

from hubcompat import cache, config, errors
from hubcompat.resolvers.base import Resolver
from hubcompat.resolvers.http import compressed_url, download_and_extract

KAGGLE_HOSTS = {"kaggle.com", "www.kaggle.com"}
_FRAMEWORKS = {"tensorflow1", "tensorflow2", "tflite", "tfjs", "keras", "jax", "pytorch", "other"}
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_BARE = re.compile(rf"^({_SEGMENT})/({_SEGMENT})/({_SEGMENT})/({_SEGMENT})/(\d+)$")


def parse(handle: str) -> str | None:
    """The kagglehub handle ``owner/model/framework/variation/version`` of ``handle``, or ``None``."""
    if handle.lower().startswith(("http://", "https://")):
        parsed = urllib.parse.urlparse(handle)
        if parsed.hostname not in KAGGLE_HOSTS:
            return None
        parts = [p for p in parsed.path.split("/") if p]
        if len(parts) == 9 and parts[0] == "models" and parts[3::2] == ["frameworks", "variations", "versions"]:
            parts = ["models", parts[1], parts[2], parts[4], parts[6], parts[8]]
        if len(parts) != 6 or parts[0] != "models":
            return None
        handle = "/".join(parts[1:])
    match = _BARE.match(handle)
    if not match or match.group(3).lower() not in _FRAMEWORKS:
        return None
    return handle


def model_url(kaggle_handle: str, base: str = "https://www.kaggle.com") -> str:
    """The Kaggle Models page URL of a kagglehub handle."""
    return f"{base.rstrip('/')}/models/{kaggle_handle}"


def kagglehub_available() -> bool:
    return importlib.util.find_spec("kagglehub") is not None


class KaggleResolver(Resolver):
    """Kaggle Models URLs and bare kagglehub handles (when no such local path exists)."""

    description = "Kaggle Models URLs and owner/model/framework/variation/version handles"

    def __init__(self, base: str = "https://www.kaggle.com"):
        self.base = base

    def is_supported(self, handle: str) -> bool:
        if parse(handle) is None:
            return False
        return "://" in handle or not os.path.exists(handle)

    def __call__(self, handle: str) -> str:
        kaggle_handle = parse(handle)
        assert kaggle_handle is not None
        return fetch_kaggle(handle, kaggle_handle, self.base)


def fetch_kaggle(cache_key: str, kaggle_handle: str, base: str = "https://www.kaggle.com") -> str:
    """Resolves ``kaggle_handle``; our cache entries are keyed by ``cache_key``."""
    hit = cache.lookup(cache_key)
    if hit is not None:
        return hit
    if kagglehub_available() and not config.offline():
        import kagglehub

        try:
            return kagglehub.model_download(kaggle_handle)
        except Exception as e:  # kagglehub raises its own classes for auth, 404, network
            raise errors.DownloadError(
                f"kagglehub could not download {kaggle_handle!r} (for {cache_key!r}): {e}. For a "
                "gated model, accept its terms on kaggle.com and set KAGGLE_USERNAME/KAGGLE_KEY."
            ) from e
    url = compressed_url(model_url(kaggle_handle, base))
    return cache.fetch(cache_key, lambda folder: download_and_extract(url, folder, label=cache_key))
