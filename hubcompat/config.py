"""Environment settings, read in one place.

Read at call time (not import time) so tests and users can change the
environment without reloading hubcompat.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import TypeVar

from hubcompat.errors import ConfigError

_Number = TypeVar("_Number", int, float)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def use_legacy_keras() -> bool:
    """True when ``TF_USE_LEGACY_KERAS`` asks for tf-keras instead of Keras 3."""
    return _flag("TF_USE_LEGACY_KERAS")


def _number(name: str, default: _Number) -> _Number:
    """The variable ``name`` as a number of ``default``'s type; ``default`` when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return type(default)(raw)
    except ValueError:
        problem = "is not an integer" if isinstance(default, int) else "is not a number"
        raise ConfigError(
            f"{name}={raw!r} {problem}. Set it to a value like {default!r}, or unset it "
            f"for the default ({default!r}).",
            name=name, value=raw,
        ) from None


def check() -> None:
    """Reads every numeric setting once, so a bad value fails now (a ``ConfigError``),
    before any work, and not in the middle of a download."""
    for setting in (download_timeout, download_retries, lock_timeout, max_archive_bytes,
                    max_archive_members, model_load_format):
        setting()


# --- Handles, downloads and the cache ----------------------------------------


def cache_dir() -> str:
    """The folder new downloads are cached in.

    ``HUBCOMPAT_CACHE_DIR`` wins, then tensorflow_hub's ``TFHUB_CACHE_DIR`` (so a
    cache shared with tensorflow_hub keeps working), then a per-user folder.
    Unlike tensorflow_hub, the default is never the system temp folder, whose
    cleaners delete files and leave half-empty module folders behind.
    """
    for name in ("HUBCOMPAT_CACHE_DIR", "TFHUB_CACHE_DIR"):
        value = os.environ.get(name, "").strip()
        if value:
            return _env_folder(name, value)
    return default_cache_dir()


def _env_folder(name: str, value: str) -> str:
    """A folder named by an environment variable: a path, ``~/...`` or a ``file://`` URL.

    tensorflow_hub opened the cache folder through ``tf.io.gfile``, for which
    ``file:///x`` is the folder ``/x``.
    """
    if value.startswith("file://"):
        import urllib.parse
        import urllib.request

        parsed = urllib.parse.urlparse(value)
        if parsed.netloc not in ("", "localhost"):
            raise ConfigError(f"{name}={value!r}: a file:// URL of another host is not a local "
                              "folder; use file:///path/on/this/machine.", name=name, value=value)
        value = urllib.request.url2pathname(parsed.path)
    return os.path.abspath(os.path.expanduser(value))


def default_cache_dir() -> str:
    """The per-user cache folder used when no environment variable names one."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
        return os.path.join(base, "hubcompat", "cache")
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~/Library/Caches"), "hubcompat")
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
    return os.path.join(base, "hubcompat")


def legacy_cache_dirs() -> list[str]:
    """Extra folders searched (read-only) for modules tensorflow_hub cached.

    ``TFHUB_CACHE_DIR`` when ``HUBCOMPAT_CACHE_DIR`` overrides it, and
    tensorflow_hub's own default, ``<system temp>/tfhub_modules``.
    """
    dirs = []
    tfhub = os.environ.get("TFHUB_CACHE_DIR", "").strip()
    if tfhub:
        dirs.append(_env_folder("TFHUB_CACHE_DIR", tfhub))
    dirs.append(os.path.join(tempfile.gettempdir(), "tfhub_modules"))
    primary = cache_dir()
    return [d for i, d in enumerate(dirs) if d != primary and d not in dirs[:i]]


def offline() -> bool:
    """``HUBCOMPAT_OFFLINE=1``: resolve only from the cache, never touch the network."""
    return _flag("HUBCOMPAT_OFFLINE")


def download_timeout() -> float:
    """Seconds a connection may stay silent (``HUBCOMPAT_DOWNLOAD_TIMEOUT``, default 60)."""
    return _number("HUBCOMPAT_DOWNLOAD_TIMEOUT", 60.0)


def download_retries() -> int:
    """Extra attempts after a failed download (``HUBCOMPAT_DOWNLOAD_RETRIES``, default 2)."""
    return max(0, _number("HUBCOMPAT_DOWNLOAD_RETRIES", 2))


def lock_timeout() -> float:
    """Seconds to wait for another process that downloads the same handle (default 3600).

    Locks are ``flock``-style: the kernel releases them when a process dies, so
    this only bounds waiting for a live, slow download.
    """
    return _number("HUBCOMPAT_LOCK_TIMEOUT", 3600.0)


def max_archive_bytes() -> int:
    """Largest total unpacked size accepted from an archive (``HUBCOMPAT_MAX_ARCHIVE_BYTES``, default 64 GiB)."""
    return _number("HUBCOMPAT_MAX_ARCHIVE_BYTES", 64 * 1024**3)


def max_archive_members() -> int:
    """Most members accepted in an archive (``HUBCOMPAT_MAX_ARCHIVE_MEMBERS``, default 100000)."""
    return _number("HUBCOMPAT_MAX_ARCHIVE_MEMBERS", 100_000)


MODEL_LOAD_FORMATS = ("COMPRESSED", "UNCOMPRESSED", "AUTO")


def model_load_format() -> str:
    """tensorflow_hub's ``TFHUB_MODEL_LOAD_FORMAT``: how http(s) handles are fetched.

    ``COMPRESSED`` and ``AUTO`` (the default): download ``?tf-hub-format=compressed``
    into the cache. ``UNCOMPRESSED``: ask the server where the model's folder
    is (``?tf-hub-format=uncompressed`` answers ``303`` with a ``gs://`` path)
    and read it there, with no download and no cache. Compared exactly, as
    tensorflow_hub compares it; any other value is a ``ConfigError`` (there it
    made every http(s) handle "does not exist").
    """
    raw = os.environ.get("TFHUB_MODEL_LOAD_FORMAT", "")
    if not raw:
        return "AUTO"
    if raw not in MODEL_LOAD_FORMATS:
        raise ConfigError(
            f"TFHUB_MODEL_LOAD_FORMAT={raw!r} is not one of {', '.join(MODEL_LOAD_FORMATS)}. "
            "Set it to UNCOMPRESSED to read models from their gs:// folder, or unset it.",
            name="TFHUB_MODEL_LOAD_FORMAT", value=raw)
    return raw


def cert_validation_disabled() -> bool:
    """``TFHUB_DISABLE_CERT_VALIDATION=true`` (exactly ``true``, as tensorflow_hub reads it):
    downloads accept any TLS certificate and host name. Only for a trusted server."""
    return os.environ.get("TFHUB_DISABLE_CERT_VALIDATION") == "true"


def progress_bar() -> bool | None:
    """Download progress: ``TFHUB_DOWNLOAD_PROGRESS`` / ``HUBCOMPAT_PROGRESS`` force it on
    (or off with ``0``); unset means "only on a terminal" (``None``)."""
    for name in ("HUBCOMPAT_PROGRESS", "TFHUB_DOWNLOAD_PROGRESS"):
        raw = os.environ.get(name, "").strip().lower()
        if raw:
            return raw not in {"0", "false", "no", "off"}
    return None
