"""The ordered, user-registrable list of resolvers.

As in tensorflow_hub's ``registry.py``, the resolver registered last is
asked first, so a user's ``register()`` overrides the built-in ones. Unlike
it, the defaults are installed on first use (no import-time side effects) and
an unresolvable handle gets an error naming every resolver that was asked.
"""

from __future__ import annotations

import os
import threading

from hubcompat import errors
from hubcompat.resolvers.base import Resolver

_lock = threading.Lock()
_resolvers: list[Resolver] | None = None


def _defaults() -> list[Resolver]:
    from hubcompat.resolvers.gcs import GcsResolver
    from hubcompat.resolvers.http import HttpArchiveResolver
    from hubcompat.resolvers.kaggle import KaggleResolver
    from hubcompat.resolvers.local import LocalArchiveResolver, LocalFolderResolver
    from hubcompat.resolvers.tfhub_dev import TfhubDevResolver
    from hubcompat.resolvers.uncompressed import HttpUncompressedResolver

    # Registration order: most general first, since the last one is asked first.
    return [
        LocalFolderResolver(),
        LocalArchiveResolver(),
        GcsResolver(),
        HttpArchiveResolver(),
        KaggleResolver(),
        TfhubDevResolver(),
        HttpUncompressedResolver(),  # only while TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED
    ]


def resolvers() -> list[Resolver]:
    """The registered resolvers in the order they are asked (newest first)."""
    global _resolvers
    with _lock:
        if _resolvers is None:
            _resolvers = _defaults()
        return list(reversed(_resolvers))


def register(resolver: Resolver) -> None:
    """Adds ``resolver``; it is asked before every resolver registered earlier."""
    if not (callable(resolver) and hasattr(resolver, "is_supported")):
        raise TypeError(f"{resolver!r} needs is_supported(handle) and __call__(handle).")
    resolvers()  # install the defaults first, so they stay behind the user's
    with _lock:
        assert _resolvers is not None
        _resolvers.append(resolver)


def unregister(resolver: Resolver) -> None:
    """Removes a resolver added with :func:`register`."""
    with _lock:
        if _resolvers is not None and resolver in _resolvers:
            _resolvers.remove(resolver)


def reset() -> None:
    """Restores the built-in resolvers (drops every registered one)."""
    global _resolvers
    with _lock:
        _resolvers = None


def checked_handle(handle: object) -> str:
    """``handle`` as a str; anything but a str or os.PathLike is an InvalidHandleError."""
    if isinstance(handle, os.PathLike):
        handle = os.fspath(handle)
    if not isinstance(handle, str):
        # tensorflow_hub's wording (hub.load), which users' tests match.
        raise errors.InvalidHandleError(
            f"Expected a string, got {handle}: a handle is a str or os.PathLike (a path, URL "
            f"or tfhub.dev / Kaggle handle), not a {type(handle).__name__}.")
    return handle


def resolve(handle: str | os.PathLike[str]) -> str:
    """Returns a local folder (or a TensorFlow-readable path) holding the model ``handle``.

    Accepts local folders and archives, ``file://`` URLs, ``http(s)://`` archive
    URLs (tfhub.dev's ``?tf-hub-format=compressed`` protocol), tfhub.dev and
    Kaggle handles, and ``gs://`` paths. Downloads are cached; see
    docs/handles-and-caching.md.
    """
    handle = checked_handle(handle)
    tried = []
    for resolver in resolvers():
        if resolver.is_supported(handle):
            return resolver(handle)
        tried.append(resolver)
    raise _unresolvable(handle, tried)


def _unresolvable(handle: str, tried: list[Resolver]) -> errors.UnresolvableHandleError:
    """A few lines: what is missing, the likely typo, what was tried (names only; each
    resolver's ``description`` is one ``hubcompat.resolvers.resolvers()`` away)."""
    from hubcompat.resolvers.local import did_you_mean, local_path

    names = [type(r).__name__ for r in tried]
    local = "://" not in handle or handle.startswith("file://")
    suggestion = did_you_mean(handle) if local else None
    path = local_path(handle) if local else None
    if path is not None:
        path = os.path.abspath(path)
        lines = [f"Cannot resolve {handle!r}: {path} does not exist."]  # tensorflow_hub's words
    else:
        lines = [f"Cannot resolve {handle!r}: no resolver accepts it."]
    if suggestion:
        lines.append(f"Did you mean {suggestion!r}?")
    else:
        lines.append("Pass an existing folder or archive, or a URL or tfhub.dev / Kaggle handle.")
    lines.append(f"Resolvers tried: {', '.join(n.removesuffix('Resolver') for n in names)}.")
    return errors.UnresolvableHandleError(
        "\n".join(lines),
        handle=handle, path=path,
        available=[type(r).__name__ for r in resolvers()], suggestion=suggestion,
    )
