"""The requirement that installs *this* hubcompat: the one place that spells it.

Used wherever hubcompat tells pip what to install: the requirements, setup files
and notebook ``!pip install`` lines ``hubcompat-migrate`` writes, and the "pip
install ..." next step of errors (TensorFlow missing, the Kaggle extra).

Why not always ``hubcompat==<version>``: a hubcompat installed from a clone or a
Git URL is not on the package index, so that line fails with "No matching
distribution found" on the user's machine. How it was installed is in its
``direct_url.json`` (PEP 610), which pip writes for every install that did not
come from an index:

- ``vcs_info`` (``pip install git+https://host/repo@ref``):
  ``hubcompat @ git+https://host/repo@<commit>``, pinned to the commit installed;
- ``dir_info`` (a local folder, editable or not) or ``archive_info`` (a local or
  remote archive): ``hubcompat @ <that URL>``;
- no ``direct_url.json`` (installed from an index): ``hubcompat==<version>``.

The migrate tool's ``--requirement`` option and ``[tool.hubcompat] requirement``
setting override it (:func:`override`), e.g. to write a Git URL others can
install instead of a local folder. Standard library and ``packaging`` only: the
migrate CLI and ``import hubcompat`` use it without TensorFlow.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Iterator
from importlib import metadata

from hubcompat._version import __version__

NAME = "hubcompat"
_override: str | None = None


def _from_direct_url(data: dict[str, object], version: str) -> str:
    url = str(data.get("url", ""))
    subdirectory = data.get("subdirectory")
    vcs = data.get("vcs_info")
    if not url:
        return f"{NAME}=={version}"
    if isinstance(vcs, dict):
        ref = vcs.get("commit_id") or vcs.get("requested_revision")
        url = f"{vcs.get('vcs', 'git')}+{url}" + (f"@{ref}" if ref else "")
    if subdirectory:
        url += f"#subdirectory={subdirectory}"
    return f"{NAME} @ {url}"


def _running() -> metadata.Distribution | None:
    """The installed hubcompat first on ``sys.path``. A checkout's ``hubcompat.egg-info``
    (left by a build, found first from the checkout's folder) is not an install: pip
    writes ``INSTALLER`` into what it installs (PEP 627)."""
    found = list(metadata.distributions(name=NAME))
    installed = [d for d in found if d.read_text("INSTALLER") or d.read_text("direct_url.json")]
    return next(iter(installed or found), None)


def installed(dist: metadata.Distribution | None = None) -> str:
    """The PEP 508 requirement for the hubcompat in ``dist`` (default: the one running),
    from its ``direct_url.json``; ``hubcompat==<version>`` when it came from an index."""
    if dist is None:
        return _installed_on(tuple(sys.path))
    return _for(dist)


@functools.lru_cache(maxsize=4)
def _installed_on(path: tuple[str, ...]) -> str:
    """:func:`installed` for the running hubcompat, once per ``sys.path`` (a lookup
    reads every distribution's metadata: milliseconds, and migrate asks per line)."""
    dist = _running()
    if dist is None:  # running from a source tree, not installed
        return f"{NAME}=={__version__}"
    return _for(dist)


def _for(dist: metadata.Distribution) -> str:
    text = dist.read_text("direct_url.json")
    version = dist.version or __version__
    if not text:
        return f"{NAME}=={version}"
    try:
        data = json.loads(text)
    except ValueError:
        return f"{NAME}=={version}"
    return _from_direct_url(data, version) if isinstance(data, dict) else f"{NAME}=={version}"


def requirement() -> str:
    """The requirement to write: the override if one is set, else :func:`installed`."""
    return _override or installed()


def with_extras(req: str, *extras: str) -> str:
    """``req`` with ``extras`` added: ``hubcompat[tf]==0.1.0``, ``hubcompat[tf] @ git+...``."""
    if not extras:
        return req
    name_end = len(NAME)
    assert req[:name_end].lower() == NAME, req
    rest = req[name_end:]
    if rest.startswith("["):
        close = rest.index("]")
        have = [e.strip() for e in rest[1:close].split(",") if e.strip()]
        rest = rest[close + 1 :]
        extras = tuple(dict.fromkeys([*have, *extras]))
    return f"{NAME}[{','.join(extras)}]{rest}"


def pip_install(*extras: str) -> str:
    """The command that installs this hubcompat (with ``extras``), quoted for a shell:
    ``pip install 'hubcompat[tf]==0.1.0'``."""
    return f"pip install '{with_extras(requirement(), *extras)}'"


def check(req: str) -> str:
    """``req`` if it is a PEP 508 requirement naming hubcompat, else ``ValueError``."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        parsed = Requirement(req.strip())
    except InvalidRequirement as exc:
        raise ValueError(f"requirement {req!r} is not a PEP 508 requirement ({exc})") from None
    if canonicalize_name(parsed.name) != NAME:
        raise ValueError(f"requirement {req!r} must name hubcompat, not {parsed.name!r}")
    if parsed.marker is not None:
        raise ValueError(f"requirement {req!r}: leave the marker out (each file keeps its own)")
    return req.strip()


@contextlib.contextmanager
def override(req: str | None) -> Iterator[None]:
    """Within the block, :func:`requirement` is ``req`` (``None``: no change)."""
    global _override
    before = _override
    if req is not None:
        _override = req
    try:
        yield
    finally:
        _override = before


def is_local(req: str) -> bool:
    """Whether ``req`` points at this machine's disk (a ``file:`` URL), which other
    machines cannot install."""
    _, at, url = req.partition("@")
    return bool(at) and url.strip().split(":", 1)[0].endswith("file")
