"""The model cache: layout, locking, completion, cleanup.

Layout: tensorflow_hub's, and nothing else once a download is over::

    <cache>/<sha1(handle)>/                  the module, exactly as published
    <cache>/<sha1(handle)>.descriptor.txt    tensorflow_hub's note on who fetched it; hubcompat
                                             adds one line (the file manifest) and writes it
                                             last, atomically: the completion marker
    <cache>/<sha1(handle)>.hubcompat.lock    flock lock, only while a download runs
    <cache>/<sha1>.<host>.<pid>.<rand>.hubcompat.tmp/   one download in progress

Why not tensorflow_hub's scheme: it treated "folder exists and is non-empty"
as complete (temp-folder cleaners leave such folders without
``saved_model.pb``), and its lock was a plain file only stolen after ten
minutes without progress (hangs after a crash, and root-owned locks that
block other users). Here each process downloads into its own temp folder,
publishes with one ``rename``, and writes the descriptor last; a folder whose
descriptor has no manifest (tensorflow_hub's entries, or a crash between the
rename and the descriptor) is trusted only if it passes
:func:`hubcompat.detect_format`. hubcompat releases used to write the manifest
to ``<sha1>.hubcompat.json``; such entries are still read.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Callable

import filelock

try:
    import fcntl
except ImportError:  # Windows: filelock, which deletes the lock file on release there
    fcntl = None  # type: ignore[assignment]

from hubcompat import config, errors
from hubcompat._fileio import write_atomic
from hubcompat.formats import detect_format

LEGACY_MARKER_SUFFIX = ".hubcompat.json"  # where earlier hubcompat builds kept the manifest; still read
LOCK_SUFFIX = ".hubcompat.lock"
TMP_SUFFIX = ".hubcompat.tmp"
DESCRIPTOR_SUFFIX = ".descriptor.txt"
_MARKER_VERSION = 1
_MANIFEST_PREFIX = "hubcompat-cache-entry: "  # the descriptor's last line: JSON, one line
_FOREIGN_TMP_MAX_AGE = 24 * 3600  # tmp folders of other hosts: only remove when clearly dead
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"

Fill = Callable[[str], dict]
"""``fill(folder)`` writes the module into the empty ``folder``; returns facts for the marker."""


def entry_name(handle: str) -> str:
    """The cache folder name of ``handle``: ``sha1(handle)``, as tensorflow_hub named it."""
    return hashlib.sha1(handle.encode("utf8")).hexdigest()


def lookup(handle: str) -> str | None:
    """Returns the cached folder of ``handle`` if a complete copy exists, else ``None``.

    Searches the cache folder, then (read-only) tensorflow_hub's old cache
    folders. Never writes, never locks: a read-only cache works.
    """
    name = entry_name(handle)
    for root in [config.cache_dir(), *config.legacy_cache_dirs()]:
        path = os.path.join(root, name)
        if _is_complete(path):
            return path
    return None


def fetch(handle: str, fill: Fill, *, needs_network: bool = True) -> str:
    """Returns the cached folder of ``handle``, calling ``fill`` to create it if needed.

    At most one process per cache fills a given handle at a time; the others
    wait for its lock and then use its result. ``needs_network=False`` (local
    archives) lets ``fill`` run in offline mode.
    """
    hit = lookup(handle)
    if hit is not None:
        return hit
    if needs_network and config.offline():
        raise errors.OfflineModeError(
            f"{handle!r} is not in the cache ({config.cache_dir()}) and HUBCOMPAT_OFFLINE is set. "
            "Resolve it once while online, point HUBCOMPAT_CACHE_DIR/TFHUB_CACHE_DIR at a cache "
            "that has it, or pass a local folder."
        )
    root = config.cache_dir()
    try:
        os.makedirs(root, exist_ok=True)
    except OSError as e:
        raise errors.CacheError(
            f"Cannot create the cache folder {root!r} ({e}) to store {handle!r}. Set "
            "HUBCOMPAT_CACHE_DIR to a writable folder."
        ) from e
    name = entry_name(handle)
    with _HandleLock(root, name, handle):
        hit = lookup(handle)
        if hit is not None:
            return hit
        clean_leftovers(root)
        return _fill_and_publish(root, name, handle, fill)


def _fill_and_publish(root: str, name: str, handle: str, fill: Fill) -> str:
    final = os.path.join(root, name)
    work = _new_tmp_dir(root, name)
    try:
        module = os.path.join(work, "module")
        os.mkdir(module)
        facts = fill(module)
        if os.path.lexists(final):
            # Incomplete or damaged (lookup() refused it) and we hold the lock:
            # move it aside atomically, then delete it.
            os.rename(final, os.path.join(work, "old"))
        try:
            os.rename(module, final)
        except OSError:
            # Someone outside our lock (tensorflow_hub, another user) published first.
            if not _is_complete(final):
                raise
            return final
        _write_descriptor(final, handle, facts)
        _remove(final + LEGACY_MARKER_SUFFIX)  # an older hubcompat's marker of the replaced entry
        return final
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _new_tmp_dir(root: str, name: str) -> str:
    path = os.path.join(root, f"{name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    os.mkdir(path)
    return path


class _HandleLock:
    """An OS lock on ``<name>.hubcompat.lock``, whose file exists only while it is held.

    On POSIX: ``flock`` (the kernel releases it when its holder dies, even by
    SIGKILL), and the file is unlinked before the lock is released; whoever
    opened the file before the unlink finds, once it holds the lock, that the
    path is gone or names another file, and starts again. A file a killed
    holder left behind is locked at once and removed by the next holder. On
    Windows, ``filelock`` (which removes the file on release there).

    A lock file another user created (e.g. root) cannot be opened; then each
    user locks their own file. That only risks a duplicate download: the
    atomic rename keeps the result correct.
    """

    def __init__(self, root: str, name: str, handle: str):
        self.handle = handle
        path = os.path.join(root, name + LOCK_SUFFIX)
        if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
            path = os.path.join(root, f"{name}.{_uid()}{LOCK_SUFFIX}")
        self.path = path
        self._fd: int | None = None
        self._filelock = None if fcntl is not None else filelock.FileLock(path, timeout=config.lock_timeout())

    def __enter__(self) -> _HandleLock:
        try:
            if self._filelock is not None:
                self._filelock.acquire()
            else:
                self._fd = _flock_existing(self.path, time.monotonic() + config.lock_timeout())
        except (filelock.Timeout, TimeoutError) as e:
            raise errors.CacheError(
                f"Waited {config.lock_timeout():.0f} s for another process to finish downloading "
                f"{self.handle!r} (lock {self.path}). Raise HUBCOMPAT_LOCK_TIMEOUT or "
                "check that process."
            ) from e
        except OSError as e:
            raise errors.CacheError(
                f"Cannot lock {self.path} ({e}). Set HUBCOMPAT_CACHE_DIR to a writable folder."
            ) from e
        return self

    def __exit__(self, *exc: object) -> None:
        if self._filelock is not None:
            self._filelock.release()
            return
        assert self._fd is not None
        try:
            _remove(self.path)  # while still holding the lock: see the class docstring
        finally:
            os.close(self._fd)  # releases the flock
            self._fd = None


def _flock_existing(path: str, deadline: float) -> int:
    """Opens ``path`` (creating it) and flocks it, once no one else holds it; returns the fd.

    Retries when the file it locked was unlinked or replaced meanwhile (its
    holder was done). Raises ``TimeoutError`` at ``deadline``.
    """
    assert fcntl is not None
    delay = 0.01
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError(path) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd
        os.close(fd)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _uid() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


def clean_leftovers(root: str) -> list[str]:
    """Deletes temp folders of downloads whose process is gone, and lock files no one
    holds (their holder was killed); returns what it removed."""
    removed: list[str] = []
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    now = time.time()
    for entry in names:
        path = os.path.join(root, entry)
        if entry.endswith(LOCK_SUFFIX):
            if _remove_unheld_lock(path):
                removed.append(path)
            continue
        if not entry.endswith(TMP_SUFFIX):
            continue
        parts = entry[: -len(TMP_SUFFIX)].split(".")
        if len(parts) != 4:
            continue
        _, host, pid, _ = parts
        if host == _HOST:
            stale = pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid))
        else:
            try:
                stale = now - os.path.getmtime(path) > _FOREIGN_TMP_MAX_AGE
            except OSError:
                continue
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _remove_unheld_lock(path: str) -> bool:
    """Removes the lock file ``path`` if no process holds it (as its next holder would)."""
    if fcntl is None:
        return False
    try:
        fd = _flock_existing(path, deadline=0.0)  # never waits: a held lock is left alone
    except (TimeoutError, OSError):
        return False
    try:
        _remove(path)
    finally:
        os.close(fd)
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return True
    return True


# --- Completion ---------------------------------------------------------------


def _is_complete(path: str) -> bool:
    if not os.path.isdir(path):
        return False
    entry = read_entry(path)
    if entry is not None:
        return _manifest_matches(path, entry.get("files", {}))
    # No manifest: a folder tensorflow_hub cached (or one whose descriptor write
    # was interrupted). tensorflow_hub published by rename too, so the folder is
    # whole unless something deleted files later; detect_format finds that.
    try:
        detect_format(path)
    except (errors.HubcompatError, OSError):
        return False
    return True


def read_entry(path: str) -> dict | None:
    """What hubcompat recorded about the cached folder ``path`` (handle, URL, file
    manifest), from its descriptor or an older hubcompat's marker; ``None`` if nothing."""
    try:
        with open(path + DESCRIPTOR_SUFFIX, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, ValueError):
        lines = []
    if lines and lines[-1].startswith(_MANIFEST_PREFIX):
        return _json_object(lines[-1][len(_MANIFEST_PREFIX):])
    try:
        with open(path + LEGACY_MARKER_SUFFIX, encoding="utf-8") as f:
            return _json_object(f.read())
    except (OSError, ValueError):
        return None


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _manifest_matches(path: str, files: dict) -> bool:
    for rel, size in files.items():
        try:
            if os.stat(os.path.join(path, rel)).st_size != size:
                return False
        except OSError:
            return False
    return True


def manifest(path: str) -> dict[str, int]:
    """``{relative path: size}`` of every file under ``path`` (``/``-separated)."""
    files = {}
    for dirpath, _, filenames in os.walk(path):
        for filename in filenames:
            full = os.path.join(dirpath, filename)
            files[os.path.relpath(full, path).replace(os.sep, "/")] = os.path.getsize(full)
    return files


def _write_descriptor(path: str, handle: str, facts: dict) -> None:
    """tensorflow_hub's descriptor text, then one line of JSON (the manifest); written
    last and atomically, so a descriptor with that line means a complete entry."""
    now = datetime.datetime.now()
    entry = {
        "hubcompat_cache_entry": _MARKER_VERSION,
        "handle": handle,
        "created": now.astimezone(datetime.timezone.utc).isoformat(timespec="seconds"),
        **facts,
        "files": manifest(path),
    }
    text = (
        f"Module: {handle}\nDownload Time: {now}\n"
        f"Downloader Hostname: {socket.gethostname()} (PID:{os.getpid()})\n"
        f"{_MANIFEST_PREFIX}{json.dumps(entry, sort_keys=True)}"
    )
    write_atomic(path + DESCRIPTOR_SUFFIX, text)
