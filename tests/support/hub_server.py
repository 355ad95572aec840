"""A real HTTP server on 127.0.0.1 for the resolver tests, with misbehaving routes.

Each route serves bytes in a ``mode``: ``ok`` (optionally ``slow`` between
two halves), ``wrong_length`` (announces more bytes than it sends),
``error_mid`` (chunked, then the connection drops), ``stall`` (sends half,
then waits for ``release``), ``redirect``, ``see_other`` (a ``303`` whose body and
``Location`` are ``body``: the uncompressed protocol), or ``status`` (an HTTP error);
the first ``fail_first`` requests fail mid-stream. Requests are counted per path, and their queries recorded.
"""

from __future__ import annotations

import collections
import http.server
import os
import shutil
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.paths import REPO, genuine


def genuine_archive(name: str, tmp_path: Path) -> Path:
    """Copies a genuine archive from ../shared into ``tmp_path`` (shared/ is read-only)."""
    src = genuine(name)  # skips the test when ../shared is not there
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst


@dataclass
class Route:
    body: bytes = b""
    mode: str = "ok"
    slow: float = 0.0
    status: int = 500
    location: str = ""
    fail_first: int = 0  # this many requests fail mid-stream before the route behaves
    served: int = 0
    half_sent: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no CA signed, and its key (made by ``openssl``)."""
    import subprocess

    if not shutil.which("openssl"):
        import pytest

        pytest.skip("needs the openssl command")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class HubServer:
    """``tls=(certificate, key)`` serves https instead of http."""

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.counts: collections.Counter[str] = collections.Counter()
        self.queries: list[tuple[str, str]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                server.counts[parsed.path] += 1
                server.queries.append((parsed.path, parsed.query))
                route = server.routes.get(parsed.path)
                if route is None:
                    self.send_error(404)
                    return
                server._serve(self, route)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes = b"", **kwargs: object) -> Route:
        route = Route(body=body, **kwargs)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def _serve(self, h: http.server.BaseHTTPRequestHandler, route: Route) -> None:
        body, half = route.body, len(route.body) // 2
        route.served += 1
        mode = "error_mid" if route.served <= route.fail_first else route.mode
        if mode == "status":
            h.send_error(route.status)
        elif mode == "see_other":
            h.send_response(303)
            h.send_header("Location", body.decode())
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        elif mode == "redirect":
            h.send_response(302)
            h.send_header("Location", route.location)
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif mode == "error_mid":
            h.protocol_version = "HTTP/1.1"
            h.send_response(200)
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            h.wfile.write(b"%x\r\n%s\r\n" % (half, body[:half]))
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)  # the server dies mid-stream
            h.close_connection = True
        else:
            announced = len(body) + 1000 if mode == "wrong_length" else len(body)
            h.send_response(200)
            h.send_header("Content-Type", "application/x-tar")
            h.send_header("Content-Length", str(announced))
            h.end_headers()
            h.wfile.write(body[:half])
            h.wfile.flush()
            route.half_sent.set()
            if mode == "stall":
                route.release.wait(30)
                h.close_connection = True
                return
            time.sleep(route.slow)
            h.wfile.write(body[half:])
            h.wfile.flush()

    def __enter__(self) -> HubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for route in self.routes.values():
            route.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def tmp_entries(cache_dir: Path) -> list[str]:
    """Names in the cache folder that belong to unfinished downloads."""
    return [n for n in os.listdir(cache_dir) if n.endswith((".tmp", ".part"))] if cache_dir.exists() else []


def setup_env(monkeypatch, tmp_path: Path) -> Path:
    """An empty cache folder for the test, no offline mode, no retries, no proxy, no progress bar.

    tensorflow_hub's default cache (``<temp>/tfhub_modules``) is moved under
    ``tmp_path`` too, so a developer's real cache never leaks in.
    """
    import tempfile

    cache = tmp_path / "cache"
    for name in ("TFHUB_CACHE_DIR", "HUBCOMPAT_OFFLINE", "TFHUB_DOWNLOAD_PROGRESS", "HUBCOMPAT_MAX_ARCHIVE_BYTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUBCOMPAT_CACHE_DIR", str(cache))
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_RETRIES", "0")
    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_TIMEOUT", "10")
    monkeypatch.setenv("HUBCOMPAT_LOCK_TIMEOUT", "60")
    monkeypatch.setenv("HUBCOMPAT_PROGRESS", "0")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(systmp))
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return cache


def python_resolve(handle: str, *, extra: str = "") -> list[str]:
    """argv of a fresh Python process that prints ``hubcompat.resolve(handle)``."""
    import sys

    code = f"import hubcompat{extra}; print(hubcompat.resolve({handle!r}))"
    return [sys.executable, "-c", code]


def same_tree(a: Path, b: Path) -> bool:
    """True when two folders hold the same files with the same bytes (empty folders ignored)."""
    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    return files(a) == files(b)
