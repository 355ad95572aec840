"""A cached load vs loading the same folder by path.

Serves a genuine TF1 Hub archive on 127.0.0.1, resolves its handle once (the
download), then times, interleaved in the same run:

- ``by path``:   load(<the cached folder>)
- ``by handle``: load(<the http handle>), i.e. resolve() from the cache + load

and reports their ratio (~1.0 expected: a cache hit is a few ``stat`` calls),
plus resolve() alone against ``detect_format`` alone. ``load`` is
``hubcompat.load`` when the package has it, else ``tf.saved_model.load``.

    python benchmarks/bench_resolve.py [--repeats 15] [--archive PATH]
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_ARCHIVE = REPO.parent / "shared" / "genuine_tf1" / "mlp_bn.tar.gz"


def _serve(body: bytes) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/bench/model/1"


def _loaders():
    """(name, load by path, load by handle)."""
    import hubcompat

    try:
        return "hubcompat.load", hubcompat.load, hubcompat.load
    except (AttributeError, ImportError):
        import tensorflow as tf

        # TF1 Hub modules keep their inference graph under the empty tag set.
        def load(path):
            return tf.saved_model.load(path, tags=[])

        return "resolve + tf.saved_model.load(tags=[])", load, lambda handle: load(hubcompat.resolve(handle))


def _time(fn, arg) -> float:
    start = time.perf_counter()
    fn(arg)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        os.environ["HUBCOMPAT_CACHE_DIR"] = cache
        os.environ.setdefault("NO_PROXY", "127.0.0.1")
        import hubcompat

        server, handle = _serve(args.archive.read_bytes())
        start = time.perf_counter()
        folder = hubcompat.resolve(handle)
        first = time.perf_counter() - start
        server.shutdown()
        os.environ["HUBCOMPAT_OFFLINE"] = "1"  # every timed resolve is a pure cache hit

        name, load_path, load_handle = _loaders()
        load_path(folder), load_handle(handle)  # warm TensorFlow up before timing
        by_path, by_handle, resolve_only, detect_only = [], [], [], []
        for _ in range(args.repeats):
            by_path.append(_time(load_path, folder))
            by_handle.append(_time(load_handle, handle))
        for _ in range(args.repeats * 20):
            resolve_only.append(_time(hubcompat.resolve, handle))
            detect_only.append(_time(hubcompat.detect_format, folder))

    med = statistics.median
    print(f"archive: {args.archive.name}; loader: {name}; repeats: {args.repeats}")
    print(f"first resolve (download + extract): {first * 1e3:8.2f} ms")
    print(f"load by path    (median):           {med(by_path) * 1e3:8.2f} ms")
    print(f"load by handle  (median, cached):   {med(by_handle) * 1e3:8.2f} ms")
    print(f"ratio handle / path:                {med(by_handle) / med(by_path):8.3f}")
    print(f"resolve() alone, cache hit:         {med(resolve_only) * 1e6:8.1f} us")
    print(f"detect_format() alone:              {med(detect_only) * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
