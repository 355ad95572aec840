"""http(s) handles under ``TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED``: read the model where it lives.

tensorflow_hub's protocol: request ``<handle>?tf-hub-format=uncompressed``;
the server answers ``303 See Other`` whose body is the ``gs://`` folder of the
model, which TensorFlow then reads directly (Colab and TPU users: nothing is
downloaded or cached, and TPU workers can read it). Any other answer is an
error, as there.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request

from hubcompat import config, download, errors
from hubcompat.resolvers.base import Resolver
from hubcompat.resolvers.http import is_http

UNCOMPRESSED_FORMAT_QUERY = ("tf-hub-format", "uncompressed")


def uncompressed_url(url: str) -> str:
    """``url`` with ``?tf-hub-format=uncompressed`` appended to its query."""
    parsed = urllib.parse.urlparse(url)
    query = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
    query.append(UNCOMPRESSED_FORMAT_QUERY)
    return urllib.parse.urlunparse(parsed._replace(query=urllib.parse.urlencode(query)))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 303 is the answer, not a hop


class HttpUncompressedResolver(Resolver):
    """Every http(s) handle while ``TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED``.

    ``locations``: the schemes a server may answer with (``gs://``, as
    tensorflow_hub accepts; tests add TensorFlow's ``ram://``).
    """

    description = "http(s) handles while TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED (the server names a gs:// folder)"

    def __init__(self, locations: tuple[str, ...] = ("gs://",)):
        self.locations = locations

    def is_supported(self, handle: str) -> bool:
        return is_http(handle) and config.model_load_format() == "UNCOMPRESSED"

    def __call__(self, handle: str) -> str:
        if config.offline():
            raise errors.OfflineModeError(
                f"{handle!r}: TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED asks the server where the model "
                "is, and HUBCOMPAT_OFFLINE is set. Unset TFHUB_MODEL_LOAD_FORMAT to use the cache."
            )
        url = uncompressed_url(handle)
        location = self._ask(url).strip()
        if not location.startswith(self.locations):
            raise errors.UncompressedLocationError(
                f"Expected server to return a GCS location but received {location[:200]} "
                f"(asked {url}). Unset TFHUB_MODEL_LOAD_FORMAT to download the compressed model.",
                url=url)
        _check_exists(handle, location)
        return location

    def _ask(self, url: str) -> str:
        opener = urllib.request.build_opener(
            _NoRedirect(), urllib.request.HTTPSHandler(context=download.ssl_context()))
        request = urllib.request.Request(url, headers={"User-Agent": download.USER_AGENT})
        try:
            with opener.open(request, timeout=config.download_timeout()) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            if e.code == 303:
                return e.read().decode("utf-8", errors="replace")
            status = e.code
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            raise errors.DownloadError(
                f"Cannot ask {url} where the model is ({getattr(e, 'reason', e)}). Check the "
                "network, or unset TFHUB_MODEL_LOAD_FORMAT to use the cache.", url=url) from e
        raise errors.UncompressedLocationError(
            f"Expected 303 See other HTTP response but received code {status} from {url}: the "
            "server does not serve uncompressed models. Unset TFHUB_MODEL_LOAD_FORMAT to "
            "download the compressed model.", url=url, status=status)


def _check_exists(handle: str, location: str) -> None:
    import tensorflow as tf

    if not tf.io.gfile.exists(location):
        raise errors.ModuleNotFound(
            f"{location} does not exist (the server's location of {handle!r}).", path=location)
