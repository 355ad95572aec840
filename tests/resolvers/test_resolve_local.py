"""resolve() of local handles, the registry, and caches tensorflow_hub wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hubcompat
from hubcompat import errors, resolvers
from hubcompat.resolvers import kaggle, tfhub_dev

from tests.support.hub_server import (
    HubServer,
    genuine_archive,
    python_resolve,
    same_tree,
)
from tests.support.paths import GENUINE, LEGACY_PYTHON, REPO, genuine

FIXTURE = REPO / "fixtures" / "tfhub_cache"


def test_local_folder_and_file_url(cache_dir):
    folder = genuine("mlp_bn")  # skips with GENUINE_MISSING: .ci/run reruns it with ../shared
    assert hubcompat.resolve(str(folder)) == str(folder)
    assert hubcompat.resolve(folder) == str(folder)  # os.PathLike
    assert hubcompat.resolve(folder.as_uri()) == str(folder)
    assert not cache_dir.exists()  # nothing cached for a folder


def test_unresolvable_handle_lists_every_resolver_tried(cache_dir, tmp_path):
    with pytest.raises(errors.UnresolvableHandleError) as info:
        hubcompat.resolve(str(tmp_path / "missing"))
    message = str(info.value)
    assert f"{tmp_path / 'missing'} does not exist" in message  # tensorflow_hub's words
    assert len(message.splitlines()) <= 3
    for resolver in resolvers.resolvers():
        assert type(resolver).__name__.removesuffix("Resolver") in message
    assert isinstance(info.value, FileNotFoundError)  # old `except IOError` clauses still work


def test_registered_resolver_is_asked_first_and_can_be_removed(cache_dir, tmp_path):
    class Mirror(resolvers.Resolver):
        description = "mirror:// handles"

        def is_supported(self, handle: str) -> bool:
            return handle.startswith(("mirror://", "https://tfhub.dev/"))

        def __call__(self, handle: str) -> str:
            return str(tmp_path)

    mirror = Mirror()
    resolvers.register(mirror)
    try:
        assert resolvers.resolvers()[0] is mirror
        assert hubcompat.resolve("mirror://x") == str(tmp_path)
        assert hubcompat.resolve("https://tfhub.dev/google/x/1") == str(tmp_path)  # before TfhubDevResolver
    finally:
        resolvers.unregister(mirror)
    assert mirror not in resolvers.resolvers()
    with pytest.raises(errors.UnresolvableHandleError, match="mirror://x"):
        hubcompat.resolve("mirror://x")


def test_resolving_never_imports_tensorflow(cache_dir, tmp_path):
    archive = genuine_archive("mlp_bn.tar.gz", tmp_path)
    code = f"hubcompat.resolve({str(archive)!r}); import sys; assert 'tensorflow' not in sys.modules, 'TF imported'"
    proc = subprocess.run([sys.executable, "-c", f"import hubcompat; {code}"], cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def _install_fixture(dst: Path) -> tuple[str, Path]:
    shutil.copytree(FIXTURE / "cache", dst, dirs_exist_ok=True)
    handle = (FIXTURE / "handle.txt").read_text().strip()
    name = next(p.name for p in (FIXTURE / "cache").iterdir() if p.is_dir())
    return handle, dst / name


@pytest.mark.parametrize("where", ["TFHUB_CACHE_DIR", "HUBCOMPAT_CACHE_DIR", "tensorflow_hub default (temp)"])
def test_tensorflow_hub_cache_loads_offline(cache_dir, tmp_path, monkeypatch, where):
    """A folder tensorflow_hub 0.15 (same cache code as 0.16) wrote, read with no network."""
    if where == "TFHUB_CACHE_DIR":
        old = tmp_path / "old_tfhub_cache"
        monkeypatch.setenv("TFHUB_CACHE_DIR", str(old))
    elif where == "HUBCOMPAT_CACHE_DIR":
        old = cache_dir
    else:
        old = tmp_path / "systmp" / "tfhub_modules"
    handle, folder = _install_fixture(old)
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")

    path = hubcompat.resolve(handle)  # nothing listens on the handle's port

    assert path == str(folder)
    assert hubcompat.detect_format(path) == hubcompat.ModelFormat.TF1_HUB
    assert not (old / f"{folder.name}.hubcompat.json").exists()  # read, never rewritten


def test_damaged_tensorflow_hub_entry_is_not_trusted(cache_dir, monkeypatch):
    handle, folder = _install_fixture(cache_dir)
    (folder / "saved_model.pb").unlink()  # what a temp-folder cleaner leaves
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
    with pytest.raises(errors.OfflineModeError):
        hubcompat.resolve(handle)


def test_complete_cache_works_read_only(cache_dir, tmp_path):
    """The cache may be a read-only mount: a hit must not write, lock or create anything."""
    archive = genuine_archive("mlp_bn.tar.gz", tmp_path)
    uncached = genuine_archive("text_embed.tar.gz", tmp_path)
    path = hubcompat.resolve(str(archive))
    _, legacy_folder = _install_fixture(cache_dir)
    handle = (FIXTURE / "handle.txt").read_text().strip()
    # An audit hook refuses every write under the cache (root ignores chmod, so
    # permissions alone would not prove it); chmod covers the non-root case.
    code = textwrap.dedent(f"""
        import os, sys
        cache = {str(cache_dir)!r}
        def guard(event, args):
            if event in ("os.mkdir", "os.rename", "os.remove", "os.rmdir", "shutil.rmtree") or (
                event == "open" and args[2] and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            ):
                if any(str(a).startswith(cache) for a in args if isinstance(a, (str, bytes, os.PathLike))):
                    raise PermissionError(f"read-only cache: {{event}} {{args}}")
        sys.addaudithook(guard)
        import hubcompat
        print(hubcompat.resolve({str(archive)!r}))
        print(hubcompat.resolve({handle!r}))
        try:
            hubcompat.resolve({str(uncached)!r})  # proves the guard is live
        except Exception as e:
            print(type(e).__name__)
    """)
    for p in [cache_dir, *cache_dir.rglob("*")]:
        os.chmod(p, 0o555 if p.is_dir() else 0o444)
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=60)
    finally:
        for p in [cache_dir, *cache_dir.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [path, str(legacy_folder), "CacheError"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can open any lock file")
def test_lock_file_of_another_user_does_not_block(cache_dir, tmp_path):
    archive = genuine_archive("mlp_bn.tar.gz", tmp_path)
    cache_dir.mkdir()
    stat = archive.stat()
    from hubcompat import cache

    key = f"file://{archive}#size={stat.st_size}&mtime_ns={stat.st_mtime_ns}"
    lock = cache_dir / f"{cache.entry_name(key)}{cache.LOCK_SUFFIX}"
    lock.write_text("")
    lock.chmod(0o000)  # as if root created it
    assert hubcompat.detect_format(hubcompat.resolve(str(archive))) == hubcompat.ModelFormat.TF1_HUB


@pytest.mark.skipif(not shutil.which(LEGACY_PYTHON),
                    reason="needs genuine tensorflow_hub 0.15: run nox -s legacy_reference")
def test_genuine_tensorflow_hub_reads_our_cache(cache_dir, tmp_path):
    """The layout is shared both ways: tensorflow_hub finds what hubcompat downloaded."""
    body = genuine_archive("upstream/half_plus_two_v1.tar.gz", tmp_path).read_bytes()
    with HubServer() as server:
        server.add("/google/half_plus_two/1", body)
        handle = server.url("/google/half_plus_two/1")
        ours = hubcompat.resolve(handle)
        code = f"import tensorflow_hub as hub; print(hub.resolve({handle!r}))"
        env = {**{k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"},
               "TFHUB_CACHE_DIR": str(cache_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
        proc = subprocess.run([LEGACY_PYTHON, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == ours
        assert server.counts["/google/half_plus_two/1"] == 1


def test_kaggle_and_tfhub_handles_are_parsed():
    long = "https://www.kaggle.com/models/google/universal-sentence-encoder/frameworks/TensorFlow2/variations/universal-sentence-encoder/versions/2"
    assert kaggle.parse(long) == "google/universal-sentence-encoder/TensorFlow2/universal-sentence-encoder/2"
    assert kaggle.parse("https://www.kaggle.com/models/deepmind/i3d-kinetics/tensorFlow1/400/1?tfhub-redirect=true") == "deepmind/i3d-kinetics/tensorFlow1/400/1"
    assert kaggle.parse("google/yamnet/tensorFlow2/yamnet/1") == "google/yamnet/tensorFlow2/yamnet/1"
    assert kaggle.parse("models/mine/a/b/1") is None  # unknown framework: a relative path
    assert kaggle.parse("https://example.com/models/a/b/tensorFlow2/c/1") is None
    assert tfhub_dev.to_kaggle("https://tfhub.dev/deepmind/i3d-kinetics-400/1") == "deepmind/i3d-kinetics/tensorFlow1/400/1"
    assert tfhub_dev.to_kaggle("https://tfhub.dev/unknown/model/1") is None
    assert "http://tfhub.dev/google/yamnet/1/" in tfhub_dev.spellings("https://tfhub.dev/google/yamnet/1")


def test_kaggle_and_gcs_handles_fail_fast_offline(cache_dir, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
    for handle in [
        "google/yamnet/tensorFlow2/yamnet/1",
        "https://www.kaggle.com/models/google/yamnet/tensorFlow2/yamnet/1",
        "https://tfhub.dev/google/yamnet/1",
        "gs://bucket/model.tar.gz",
    ]:
        with pytest.raises(errors.OfflineModeError):
            hubcompat.resolve(handle)


def test_offline_cli_process_with_fixture(cache_dir, tmp_path):
    handle, folder = _install_fixture(cache_dir)
    env = {**os.environ, "HUBCOMPAT_OFFLINE": "1"}
    proc = subprocess.run(python_resolve(handle), cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(folder)
    assert same_tree(folder, FIXTURE / "cache" / folder.name)


def test_local_archives_work_offline(cache_dir, tmp_path, monkeypatch):
    archive = genuine_archive("mlp_bn.tar.gz", tmp_path)
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
    assert same_tree(Path(hubcompat.resolve(str(archive))), GENUINE / "mlp_bn")
