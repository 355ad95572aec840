"""hubcompat/download.py against a real HTTP server on 127.0.0.1 (tests/support/hub_server.py).

The bytes that arrive are the bytes served; each failure is the
errors.DownloadError subclass naming the URL (and the final URL after
redirects) and the next step; retries are counted on the server.
"""

from __future__ import annotations

import os

import pytest

from hubcompat import download, errors

BODY = os.urandom(3 * (1 << 20) + 123)  # more than one chunk


@pytest.fixture(autouse=True)
def _environment(cache_dir):
    """No retries, no progress bar, no proxy, an empty cache (tests/support/hub_server.py)."""


def test_the_file_holds_the_bytes_served_and_redirects_are_followed(server, tmp_path):
    server.add("/model.tar", BODY)
    server.add("/old", mode="redirect", location=server.url("/model.tar"))
    target = tmp_path / "out.tar"
    result = download.download(server.url("/old"), str(target))
    assert target.read_bytes() == BODY
    assert result == download.Downloaded(url=server.url("/old"), final_url=server.url("/model.tar"),
                                         size=len(BODY))
    assert server.counts["/old"] == 1 and server.counts["/model.tar"] == 1


def test_a_short_body_is_retried_then_reported(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "1")
    server.add("/short", BODY, mode="wrong_length")
    with pytest.raises(errors.IncompleteDownloadError) as info:
        download.download(server.url("/short"), str(tmp_path / "out"))
    assert server.counts["/short"] == 2  # the first attempt and one retry
    message = str(info.value)
    assert server.url("/short") in message and "Try again" in message
    assert info.value.url == server.url("/short")


def test_a_connection_dropped_mid_stream_succeeds_on_the_retry(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "2")
    server.add("/flaky", BODY, fail_first=1)
    target = tmp_path / "out"
    assert download.download(server.url("/flaky"), str(target)).size == len(BODY)
    assert target.read_bytes() == BODY and server.counts["/flaky"] == 2


@pytest.mark.parametrize("status, hint", [(404, "check the handle and its version number"),
                                          (400, "Check the handle.")])
def test_client_errors_are_not_retried(server, tmp_path, monkeypatch, status, hint):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "3")
    server.add("/missing", mode="status", status=status)
    with pytest.raises(errors.DownloadError) as info:
        download.download(server.url("/missing"), str(tmp_path / "out"))
    assert server.counts["/missing"] == 1
    assert info.value.status == status and f"HTTP {status}" in str(info.value)
    assert hint in str(info.value) and server.url("/missing") in str(info.value)


def test_server_errors_are_retried(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "1")
    server.add("/broken", mode="status", status=503)
    with pytest.raises(errors.DownloadError) as info:
        download.download(server.url("/broken"), str(tmp_path / "out"))
    assert server.counts["/broken"] == 2 and info.value.status == 503


def test_a_redirect_loop_is_reported_without_retrying(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "3")
    server.add("/a", mode="redirect", location=server.url("/b"))
    server.add("/b", mode="redirect", location=server.url("/a"))
    with pytest.raises(errors.DownloadError) as info:
        download.download(server.url("/a"), str(tmp_path / "out"))
    assert "redirects in a loop" in str(info.value) and "use another handle or a local copy" \
        in str(info.value)
    assert info.value.url == server.url("/a")


def test_size_limit_refuses_an_announced_and_a_sent_body(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_MAX_ARCHIVE_BYTES", str(len(BODY) - 1))
    server.add("/big", BODY)
    with pytest.raises(errors.DownloadError) as info:
        download.download(server.url("/big"), str(tmp_path / "out"))
    assert f"announces {len(BODY)} bytes" in str(info.value)
    assert f"Raise the limit if you trust {server.url('/big')}" in str(info.value)


def test_offline_mode_never_touches_the_network(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
    server.add("/model.tar", BODY)
    with pytest.raises(errors.OfflineModeError) as info:
        download.download(server.url("/model.tar"), str(tmp_path / "out"))
    assert server.counts["/model.tar"] == 0 and "Unset it" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_a_refused_connection_names_the_url_and_the_next_step(server, tmp_path):
    url = server.url("/x").replace(str(server.port), "1")  # nothing listens on port 1
    with pytest.raises(errors.DownloadError) as info:
        download.download(url, str(tmp_path / "out"))
    assert url in str(info.value) and "Check the network or proxy" in str(info.value)
