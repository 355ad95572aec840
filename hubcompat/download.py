"""HTTP(S) downloads: timeouts, retries, size checks, progress on a terminal.

Plain ``urllib`` (no extra dependency). The body is streamed to a file the
caller owns; the caller extracts it only after the size check passed. Errors
name the URL asked for and the final URL after redirects, since tfhub.dev
handles now bounce through Kaggle and the failing hop is rarely the first.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from hubcompat import config, errors
from hubcompat._version import __version__

_log = logging.getLogger(__name__)
_CHUNK = 1 << 20
USER_AGENT = f"hubcompat/{__version__} python-urllib"


@dataclass(frozen=True)
class Downloaded:
    """What :func:`download` fetched."""

    url: str
    final_url: str
    size: int


class _Retryable(Exception):
    """A failure worth another attempt (connection, timeout, 5xx, short body)."""

    def __init__(self, error: errors.DownloadError):
        super().__init__(str(error))
        self.error = error


def download(url: str, path: str, *, label: str | None = None) -> Downloaded:
    """Downloads ``url`` into the file ``path`` (overwritten); returns what arrived.

    Retries connection failures, timeouts, 5xx answers and short bodies
    ``HUBCOMPAT_DOWNLOAD_RETRIES`` times; never retries 4xx or redirect loops.
    """
    if config.offline():
        raise errors.OfflineModeError(
            f"HUBCOMPAT_OFFLINE is set, so {url} was not downloaded. Unset it, or resolve "
            "the handle once while online to cache it.",
            url=url,
        )
    retries = config.download_retries()
    for attempt in range(retries + 1):
        try:
            return _download_once(url, path, label or url)
        except _Retryable as e:
            if attempt == retries:
                raise e.error from e.__cause__
            time.sleep(min(0.5 * 2**attempt, 8.0))
    raise AssertionError("unreachable")


def _download_once(url: str, path: str, label: str) -> Downloaded:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    timeout = config.download_timeout()
    final_url = url
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=ssl_context()) as response:
            final_url = response.geturl()
            expected = _content_length(response)
            limit = config.max_archive_bytes()
            if expected is not None and expected > limit:
                raise errors.DownloadError(
                    f"{final_url} announces {expected} bytes, more than HUBCOMPAT_MAX_ARCHIVE_BYTES "
                    f"({limit}). Raise the limit if you trust {url}.",
                    url=url, final_url=final_url,
                )
            size = _stream(response, path, expected, limit, label, final_url)
    except urllib.error.HTTPError as e:
        raise _http_error(url, e) from None
    except errors.DownloadError:
        raise
    except http.client.IncompleteRead as e:
        got = len(e.partial)
        raise _Retryable(
            errors.IncompleteDownloadError(
                f"Download of {url} stopped early (final URL {final_url}): the connection closed "
                f"after {got} more bytes with {e.expected} still announced. Try again.",
                url=url, final_url=final_url,
            )
        ) from e
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, ssl.SSLCertVerificationError):  # retrying cannot help
            raise errors.DownloadError(
                f"Download of {url} failed (final URL {final_url}): the server's TLS certificate "
                f"is not trusted ({reason.verify_message}). Point SSL_CERT_FILE at your "
                "organisation's CA bundle, or, for a server you trust, set "
                "TFHUB_DISABLE_CERT_VALIDATION=true.",
                url=url, final_url=final_url,
            ) from e
        what = "timed out" if isinstance(reason, (socket.timeout, TimeoutError)) else "failed"
        raise _Retryable(
            errors.DownloadError(
                f"Download of {url} {what} (final URL {final_url}): {reason}. Check the network "
                "or proxy, or set HUBCOMPAT_OFFLINE=1 to use only cached models.",
                url=url, final_url=final_url,
            )
        ) from e
    if expected is not None and size != expected:
        raise _Retryable(
            errors.IncompleteDownloadError(
                f"Download of {url} (final URL {final_url}) gave {size} bytes but the server "
                f"announced {expected}. Try again.",
                url=url, final_url=final_url,
            )
        )
    return Downloaded(url=url, final_url=final_url, size=size)


def ssl_context() -> ssl.SSLContext | None:
    """The TLS settings of every request: Python's defaults, or none of its checks when
    ``TFHUB_DISABLE_CERT_VALIDATION=true`` (as tensorflow_hub, with the same warning)."""
    if not config.cert_validation_disabled():
        return None
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    _log.warning("Disabled certificate validation for resolving handles.")
    return context


def _content_length(response: http.client.HTTPResponse) -> int | None:
    raw = response.headers.get("Content-Length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _stream(response: http.client.HTTPResponse, path: str, expected: int | None, limit: int, label: str, final_url: str) -> int:
    size = 0
    bar = _progress(expected, label)
    try:
        with open(path, "wb") as out:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise errors.DownloadError(
                        f"{final_url} sent more than HUBCOMPAT_MAX_ARCHIVE_BYTES ({limit}) bytes."
                    )
                out.write(chunk)
                if bar is not None:
                    bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    return size


class _ProgressBar(Protocol):
    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


def _progress(total: int | None, label: str) -> _ProgressBar | None:
    wanted = config.progress_bar()
    if wanted is None:
        wanted = sys.stderr.isatty()
    if not wanted:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=f"Downloading {label}", leave=False)


def _http_error(url: str, e: urllib.error.HTTPError) -> Exception:
    final_url = e.geturl() or e.url or url
    if 300 <= e.code < 400:
        return errors.DownloadError(
            f"{url} redirects in a loop (last URL {final_url}, HTTP {e.code}). The server is "
            "misconfigured; use another handle or a local copy.",
            url=url, final_url=final_url, status=e.code,
        )
    hint = "Check the handle."
    if e.code in (401, 403) and ("kaggle" in final_url or "tfhub.dev" in url):
        from hubcompat import _requirement

        hint = (
            "tfhub.dev handles now redirect to Kaggle, which may refuse plain downloads. Use the "
            f"Kaggle handle with `{_requirement.pip_install('kaggle')}`, or a copy already in "
            "the cache."
        )
    elif e.code == 404:
        hint = "The model is not at that address: check the handle and its version number."
    error = errors.DownloadError(
        f"Download of {url} failed with HTTP {e.code} {e.reason} (final URL {final_url}). {hint}",
        url=url, final_url=final_url, status=e.code)
    return _Retryable(error) if e.code >= 500 else error
