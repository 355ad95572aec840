"""hubcompat.resolve() of http(s) handles against a real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

import hubcompat
from hubcompat import cache, errors, resolvers
from hubcompat.resolvers.kaggle import kagglehub_available
from hubcompat.resolvers.tfhub_dev import TfhubDevResolver

from tests.support.hub_server import (
    HubServer,
    genuine_archive,
    same_tree,
    self_signed_certificate,
    tmp_entries,
)
from tests.support.paths import GENUINE


@pytest.fixture
def mlp_bn(tmp_path):
    return genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes()


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def test_handle_is_downloaded_once_with_the_compressed_protocol(cache_dir, server, mlp_bn):
    server.add("/google/mlp_bn/1", mlp_bn)
    handle = server.url("/google/mlp_bn/1")

    path = hubcompat.resolve(handle)

    assert path == str(cache_dir / sha1(handle))  # tensorflow_hub's folder name
    assert hubcompat.detect_format(path) == hubcompat.ModelFormat.TF1_HUB
    assert same_tree(cache_dir / sha1(handle), GENUINE / "mlp_bn")
    assert server.queries == [("/google/mlp_bn/1", "tf-hub-format=compressed")]
    entry = cache.read_entry(path)  # the manifest, in the descriptor's last line
    assert entry is not None and entry["handle"] == handle and entry["files"]["saved_model.pb"] > 0
    descriptor = (cache_dir / f"{sha1(handle)}.descriptor.txt").read_text()
    assert descriptor.startswith(f"Module: {handle}\nDownload Time: ")
    assert hubcompat.resolve(handle) == path
    assert server.counts["/google/mlp_bn/1"] == 1
    # tensorflow_hub's layout and nothing else (its e2e_test counts these entries).
    assert sorted(os.listdir(cache_dir)) == [sha1(handle), f"{sha1(handle)}.descriptor.txt"]


def test_entry_of_an_earlier_hubcompat_still_loads(cache_dir, server, mlp_bn, monkeypatch):
    """Earlier builds kept the manifest in <sha1>.hubcompat.json and left their lock file."""
    server.add("/m/1", mlp_bn)
    handle = server.url("/m/1")
    path = hubcompat.resolve(handle)
    entry = cache.read_entry(path)
    descriptor = cache_dir / f"{sha1(handle)}.descriptor.txt"
    descriptor.write_text("\n".join(descriptor.read_text().splitlines()[:3]))
    (cache_dir / f"{sha1(handle)}.hubcompat.json").write_text(json.dumps(entry))
    (cache_dir / f"{sha1(handle)}.hubcompat.lock").write_text("")
    os.remove(os.path.join(path, "variables", "variables.index"))  # the old manifest sees this

    assert hubcompat.resolve(handle) == path  # fetched again, the old files replaced
    assert server.counts["/m/1"] == 2 and same_tree(Path(path), GENUINE / "mlp_bn")
    assert sorted(os.listdir(cache_dir)) == [sha1(handle), f"{sha1(handle)}.descriptor.txt"]
    (cache_dir / f"{sha1(handle)}.hubcompat.json").write_text(json.dumps(entry))
    descriptor.write_text("\n".join(descriptor.read_text().splitlines()[:3]))
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
    assert hubcompat.resolve(handle) == path  # an intact old entry: used as is


def test_direct_archive_url_keeps_its_query_and_redirects_are_followed(cache_dir, server, tmp_path):
    body = genuine_archive("upstream/half_plus_two_v1.tar.gz", tmp_path).read_bytes()
    server.add("/bucket/half_plus_two.tar.gz", body)
    server.add("/hub/half_plus_two/1", mode="redirect", location="/bucket/half_plus_two.tar.gz?sig=abc")
    handle = server.url("/hub/half_plus_two/1")

    path = hubcompat.resolve(handle)

    assert path == str(cache_dir / sha1(handle))
    assert hubcompat.detect_format(path) == hubcompat.ModelFormat.TF1_HUB
    # A signed storage URL must reach the server unchanged.
    assert server.queries[-1] == ("/bucket/half_plus_two.tar.gz", "sig=abc")



FAILURES = {
    "truncated gzip": (lambda b: {"body": b[: len(b) // 2]}, errors.CorruptArchiveError, "truncated"),
    "wrong Content-Length": (lambda b: {"body": b, "mode": "wrong_length"}, errors.IncompleteDownloadError, "announced"),
    "error mid-stream": (lambda b: {"body": b, "mode": "error_mid"}, errors.DownloadError, "stopped early|failed"),
    "HTTP 500": (lambda b: {"body": b, "mode": "status", "status": 500}, errors.DownloadError, "HTTP 500"),
    "HTTP 403": (lambda b: {"body": b, "mode": "status", "status": 403}, errors.DownloadError, "HTTP 403"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failed_download_is_a_clear_error_leaves_nothing_and_next_try_works(cache_dir, server, mlp_bn, case):
    make_route, error_class, words = FAILURES[case]
    server.add("/m/1", **make_route(mlp_bn))
    handle = server.url("/m/1")

    with pytest.raises(error_class, match=words) as info:
        hubcompat.resolve(handle)

    assert handle in str(info.value)
    assert not (cache_dir / sha1(handle)).exists()
    assert os.listdir(cache_dir) == []  # not even the lock
    server.add("/m/1", mlp_bn)  # the server is fixed
    assert hubcompat.detect_format(hubcompat.resolve(handle)) == hubcompat.ModelFormat.TF1_HUB


def test_redirect_loop_is_a_clear_error_and_next_try_works(cache_dir, server, mlp_bn):
    server.add("/a/1", mode="redirect", location="/b/1")
    server.add("/b/1", mode="redirect", location="/a/1")
    handle = server.url("/a/1")

    with pytest.raises(errors.DownloadError, match="redirects in a loop"):
        hubcompat.resolve(handle)
    assert not (cache_dir / sha1(handle)).exists() and tmp_entries(cache_dir) == []

    server.add("/b/1", mlp_bn)
    assert hubcompat.detect_format(hubcompat.resolve(handle)) == hubcompat.ModelFormat.TF1_HUB


def test_error_names_the_final_url_after_redirects(cache_dir, server, mlp_bn):
    server.add("/m/1", mode="redirect", location="/storage/m.tar.gz")
    server.add("/storage/m.tar.gz", mlp_bn, mode="wrong_length")

    with pytest.raises(errors.IncompleteDownloadError) as info:
        hubcompat.resolve(server.url("/m/1"))
    assert server.url("/storage/m.tar.gz") in str(info.value)


def test_transient_failures_are_retried(cache_dir, server, mlp_bn, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "2")
    server.add("/m/1", mlp_bn, fail_first=2)
    path = hubcompat.resolve(server.url("/m/1"))
    assert hubcompat.detect_format(path) == hubcompat.ModelFormat.TF1_HUB
    assert server.counts["/m/1"] == 3


def test_retries_give_up_with_the_last_error(cache_dir, server, mlp_bn, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "1")
    server.add("/m/1", mlp_bn, fail_first=5)
    with pytest.raises(errors.DownloadError, match="stopped early"):
        hubcompat.resolve(server.url("/m/1"))
    assert server.counts["/m/1"] == 2


def test_silent_server_times_out(cache_dir, server, mlp_bn, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_TIMEOUT", "0.5")
    route = server.add("/m/1", mlp_bn, mode="stall")
    with pytest.raises(errors.DownloadError, match="timed out"):
        hubcompat.resolve(server.url("/m/1"))
    route.release.set()
    assert tmp_entries(cache_dir) == [] and not (cache_dir / sha1(server.url("/m/1"))).exists()


def test_announced_size_over_the_limit_is_refused_before_download(cache_dir, server, mlp_bn, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_MAX_ARCHIVE_BYTES", "1000")
    server.add("/big/1", mlp_bn)
    with pytest.raises(errors.DownloadError, match="HUBCOMPAT_MAX_ARCHIVE_BYTES"):
        hubcompat.resolve(server.url("/big/1"))


def test_offline_mode_uses_the_cache_and_never_the_network(cache_dir, server, mlp_bn, monkeypatch):
    server.add("/cached/1", mlp_bn)
    server.add("/uncached/1", mlp_bn)
    cached = hubcompat.resolve(server.url("/cached/1"))
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")

    assert hubcompat.resolve(server.url("/cached/1")) == cached
    with pytest.raises(errors.OfflineModeError, match="HUBCOMPAT_OFFLINE"):
        hubcompat.resolve(server.url("/uncached/1"))
    assert isinstance(errors.OfflineModeError(), ConnectionError)
    assert server.counts == {"/cached/1": 1}


def test_folder_emptied_by_a_temp_cleaner_is_fetched_again(cache_dir, server, mlp_bn):
    """tensorflow_hub trusted any non-empty folder ("contains neither saved_model.pb ...")."""
    server.add("/m/1", mlp_bn)
    handle = server.url("/m/1")
    damaged = cache_dir / sha1(handle)
    (damaged / "variables").mkdir(parents=True)
    (damaged / "variables" / "variables.index").write_bytes(b"x")

    path = hubcompat.resolve(handle)

    assert path == str(damaged)
    assert same_tree(damaged, GENUINE / "mlp_bn")
    assert server.counts["/m/1"] == 1 and tmp_entries(cache_dir) == []


def test_entry_whose_files_changed_after_download_is_fetched_again(cache_dir, server, mlp_bn):
    server.add("/m/1", mlp_bn)
    path = hubcompat.resolve(server.url("/m/1"))
    os.remove(os.path.join(path, "variables", "variables.index"))

    assert hubcompat.resolve(server.url("/m/1")) == path
    assert same_tree(cache_dir / os.path.basename(path), GENUINE / "mlp_bn")
    assert server.counts["/m/1"] == 2


@pytest.mark.skipif(kagglehub_available(), reason="kagglehub would download from kaggle.com")
def test_tfhub_dev_handle_is_fetched_from_its_kaggle_equivalent(cache_dir, server, mlp_bn, monkeypatch):
    kaggle_path = "/models/google/universal-sentence-encoder/tensorFlow2/universal-sentence-encoder/2"
    server.add(kaggle_path, mlp_bn)
    resolver = TfhubDevResolver(kaggle_base=server.url(""))
    resolvers.register(resolver)
    try:
        handle = "https://tfhub.dev/google/universal-sentence-encoder/4"
        path = hubcompat.resolve(handle)
        assert path == str(cache_dir / sha1(handle))  # where tensorflow_hub cached it
        assert server.queries == [(kaggle_path, "tf-hub-format=compressed")]
        monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
        assert hubcompat.resolve(handle + "/") == path  # another spelling of the same handle
    finally:
        resolvers.unregister(resolver)


def test_cache_shared_with_tensorflow_hub_via_tfhub_cache_dir(cache_dir, server, mlp_bn, monkeypatch, tmp_path):
    tfhub_cache = tmp_path / "tfhub_cache"
    monkeypatch.delenv("HUBCOMPAT_CACHE_DIR")
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tfhub_cache))
    server.add("/m/1", mlp_bn)
    assert hubcompat.resolve(server.url("/m/1")) == str(tfhub_cache / sha1(server.url("/m/1")))
    shutil.rmtree(tfhub_cache)


def test_certificate_validation_is_disabled_only_by_the_exact_setting(cache_dir, mlp_bn, monkeypatch, tmp_path, caplog):
    """TFHUB_DISABLE_CERT_VALIDATION=true, as tensorflow_hub reads it (exactly "true")."""
    with HubServer(tls=self_signed_certificate(tmp_path)) as server:
        server.add("/m/1", mlp_bn)
        handle = server.url("/m/1")
        for value in (None, "1", "True"):
            if value is None:
                monkeypatch.delenv("TFHUB_DISABLE_CERT_VALIDATION", raising=False)
            else:
                monkeypatch.setenv("TFHUB_DISABLE_CERT_VALIDATION", value)
            with pytest.raises(errors.DownloadError, match="TFHUB_DISABLE_CERT_VALIDATION=true") as info:
                hubcompat.resolve(handle)
            assert handle in str(info.value)
        assert server.counts["/m/1"] == 0  # refused during the handshake, and not retried

        monkeypatch.setenv("TFHUB_DISABLE_CERT_VALIDATION", "true")
        with caplog.at_level("WARNING", logger="hubcompat.download"):
            path = hubcompat.resolve(handle)
        assert same_tree(Path(path), GENUINE / "mlp_bn")
        assert "Disabled certificate validation for resolving handles." in caplog.messages
