"""Runs the probes (probes.py) with genuine tensorflow_hub or hubcompat; prints JSON.

    python tests/genuine_parity/record.py                 # genuine tensorflow_hub: print
    python tests/genuine_parity/record.py --write         # ... and rewrite genuine.json
    python tests/genuine_parity/record.py --hub hubcompat # hubcompat's outcomes
    python tests/genuine_parity/record.py --names --write # add public_names.json's entry
                                                          # for this tensorflow_hub version

Run ``--write`` with the Python of genuine tensorflow_hub 0.15 on TF 2.15 (the
``legacy_reference`` nox cell's, or any venv with tensorflow-cpu==2.15.1,
tensorflow-hub==0.15.0). The tests import :func:`run_probe` to get
hubcompat's outcomes in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import importlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RECORD = os.path.join(HERE, "genuine.json")
NAMES = os.path.join(HERE, "public_names.json")
sys.path.insert(0, HERE)

import probes  # noqa: E402


class _Logs(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def http_server(folder):
    """Serves ``folder`` on 127.0.0.1; yields the base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
    handler.log_message = lambda *a, **k: None
    with _serving(handler) as url:
        yield url


@contextlib.contextmanager
def see_other_server(body: bytes):
    """Answers every GET with ``303 See Other`` and ``body`` (no Location header): the
    uncompressed protocol's answer; yields the base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(303)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with _serving(Handler) as url:
        yield url


@contextlib.contextmanager
def _serving(handler):
    """Runs an HTTP server with ``handler`` on a free port of 127.0.0.1; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Context:
    def __init__(self, hub, tmp):
        import tensorflow as tf

        self.hub, self.tf, self.tmp = hub, tf, tmp
        self.fixtures = os.path.join(REPO, "fixtures", "tf1_modules")
        self.stages = ["start"]
        self._logs = _Logs()
        self.http_server = http_server
        self.see_other_server = see_other_server

    def stage(self, name):
        self.stages.append(name)

    def logs(self):
        return list(self._logs.messages)


def _builtin_bases(exc):
    return [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"]


def run_probe(name, hub):
    """Runs one probe; returns its outcome as recorded in genuine.json."""
    tmp = tempfile.mkdtemp(prefix=f"probe_{name}_")
    ctx = Context(hub, tmp)
    root = logging.getLogger()
    root.addHandler(ctx._logs)
    try:
        result = probes.PROBES[name]["fn"](ctx)
        outcome = {"stage": ctx.stages[-1], "result": _jsonable(result)}
    except Exception as e:  # every outcome, errors included, is what we compare
        outcome = {"stage": ctx.stages[-1], "raised": _builtin_bases(e),
                   "type": type(e).__name__, "message": _portable(str(e), tmp)}
    finally:
        root.removeHandler(ctx._logs)
        shutil.rmtree(tmp, ignore_errors=True)
    return outcome


def _portable(message: str, tmp: str) -> str:
    """``message`` without this machine's paths and object addresses (it is committed)."""
    message = message.replace(tmp, "<tmp>").replace(REPO, "<repo>")
    return re.sub(r"0x[0-9A-Fa-f]{6,}", "0x...", message)


def _jsonable(value):
    return json.loads(json.dumps(value, default=lambda v: v.tolist() if hasattr(v, "tolist")
                                 else list(v) if isinstance(v, tuple) else str(v)))


def public_names(hub) -> list[str]:
    """tensorflow_hub's public API: ``__all__`` and its public non-module attributes."""
    import types

    attributes = {name for name in dir(hub) if not name.startswith("_")
                  and not isinstance(getattr(hub, name), types.ModuleType)}
    return sorted(set(hub.__all__) | attributes | {"__version__"})


def write_public_names(hub) -> None:
    """Adds (or replaces) this tensorflow_hub version's names in public_names.json."""
    names = {}
    if os.path.exists(NAMES):
        with open(NAMES, encoding="utf-8") as f:
            names = json.load(f)
    names[hub.__version__] = public_names(hub)
    write_json(NAMES, names)


def write_json(path: str, data) -> None:
    """The committed records' format: sorted keys, one-space indent, final newline."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--hub", default="tensorflow_hub")
    parser.add_argument("--write", action="store_true", help=f"rewrite {RECORD}")
    parser.add_argument("--names", action="store_true",
                        help=f"only print (with --write: store in {NAMES}) the public names")
    parser.add_argument("probes", nargs="*")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    hub = importlib.import_module(args.hub)
    if args.names:
        if args.write:
            write_public_names(hub)
        print(json.dumps(public_names(hub)))
        return
    names = args.probes or sorted(probes.PROBES)
    outcomes = {name: run_probe(name, hub) for name in names}
    if args.write:
        import tensorflow as tf

        write_json(RECORD, {"library": f"{args.hub} {hub.__version__}",
                            "tensorflow": tf.__version__, "probes": outcomes})
    print(json.dumps(outcomes, sort_keys=True))


if __name__ == "__main__":
    main()
