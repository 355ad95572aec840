"""Big modules: load + first call time and peak memory, each way in its own process.

Writes a TF1 Hub text-embedding module of ``--size-mb`` MiB of variables
(a vocabulary asset x 128 floats in 8 partitions, see
fixtures/tf1_modules/scale_module.py) into a temporary folder, then runs each
way of using it in a fresh interpreter and prints its wall time (load + first
call, imports excluded) and peak RSS (``ru_maxrss`` of that process), both as
ratios to raw ``tf.compat.v1.saved_model.load_v2`` + ``.signatures["default"]``
measured in the same run. Every way's output is checked against raw's.
Targets: ``hubcompat.load`` and ``KerasLayer`` time and peak RSS <= 1.2x raw;
``convert``'s peak RSS <= 1.5x raw's.

    python benchmarks/bench_scale.py --size-mb 600 [--repeats 3] [--module DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "fixtures" / "tf1_modules"))

import scale_module  # noqa: E402

# Each way: (label, code run after the imports; it loads `path` and sets `out`).
WAYS = {
    "raw": ("raw load_v2 + signature", """
loaded = tf.compat.v1.saved_model.load_v2(path, tags=[])
out = loaded.signatures["default"](default=tf.constant(SENTENCES))["default"].numpy()
"""),
    "load": ("hubcompat.load", """
out = hubcompat.load(path)(SENTENCES).numpy()
"""),
    "keras": ("hubcompat.KerasLayer", """
out = hubcompat.KerasLayer(path)(tf.constant(SENTENCES)).numpy()
"""),
    "module_graph": ("legacy Module, Session", """
with tf.Graph().as_default():
    module = hubcompat.Module(path)
    embedded = module(tf.constant(SENTENCES))
    with tf.compat.v1.Session() as session:
        session.run([tf.compat.v1.global_variables_initializer(),
                     tf.compat.v1.tables_initializer()])
        out = session.run(embedded)
"""),
    "module_eager": ("legacy Module, eager", """
out = hubcompat.Module(path)(SENTENCES).numpy()
"""),
    "convert": ("convert (with parity check)", """
report = hubcompat.convert(path, os.path.join(tmp, "converted"))
assert report.ok, report.failures
out = tf.saved_model.load(os.path.join(tmp, "converted"))(tf.constant(SENTENCES)).numpy()
"""),
}

CHILD = """
import os, resource, sys, tempfile, time, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
import hubcompat
{extra_imports}
path, SENTENCES = sys.argv[1], {sentences!r}
tf.constant(0)  # the eager context exists before the clock starts
imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
tmp = tempfile.mkdtemp()
start = time.perf_counter()
{body}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "imported": imported,
                   "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                   "out": np.asarray(out).tolist()}}))
"""


def run_way(way: str, path: str) -> dict:
    # KerasLayer needs Keras: import it before the clock in that way only.
    extra = "import keras" if way == "keras" else ""
    code = CHILD.format(extra_imports=extra, sentences=scale_module.SENTENCES,
                        body=WAYS[way][1])
    env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True,
                          env=env, cwd=REPO)  # cwd: "" is first on sys.path
    if proc.returncode != 0:
        raise SystemExit(f"{way} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=600)
    parser.add_argument("--repeats", type=int, default=1, help="processes per way (median time)")
    parser.add_argument("--module", help="an existing module folder (default: write one)")
    parser.add_argument("--ways", default=",".join(WAYS), help="comma list of " + ",".join(WAYS))
    args = parser.parse_args()
    ways = args.ways.split(",")
    if "raw" not in ways:
        ways.insert(0, "raw")
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        path = args.module
        if path is None:
            path = os.path.join(tmp, "module")
            subprocess.run([sys.executable, str(Path(scale_module.__file__)), path,
                            "--size-mb", str(args.size_mb)], check=True, capture_output=True,
                           env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        data = sum(f.stat().st_size for f in Path(path, "variables").iterdir())
        print(f"module: {path}  variables {data / 2**20:.0f} MiB")
        results: dict[str, list[dict]] = {}
        for _ in range(args.repeats):  # interleaved, so noise hits all ways alike
            for way in ways:
                results.setdefault(way, []).append(run_way(way, path))
    base_time = statistics.median(r["seconds"] for r in results["raw"])
    base_peak = max(r["peak"] for r in results["raw"])
    expected = results["raw"][0]["out"]
    print(f"{'way':30s} {'load+call s':>11s} {'ratio':>6s} {'peak RSS MiB':>13s} {'ratio':>6s}"
          f" {'after imports MiB':>18s}")
    for way in ways:
        runs = results[way]
        for run in runs:
            worst = max(abs(a - b) for row_a, row_b in zip(run["out"], expected)
                        for a, b in zip(row_a, row_b))
            if worst > 1e-5:
                raise SystemExit(f"{way}: output differs from raw load_v2 by {worst}")
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak"] for r in runs)
        imported = max(r["imported"] for r in runs)
        print(f"{WAYS[way][0]:30s} {seconds:11.2f} {seconds / base_time:6.2f} "
              f"{peak / 2**20:13.0f} {peak / base_peak:6.2f} {imported / 2**20:18.0f}")
    print("targets: hubcompat.load, KerasLayer time and peak <= 1.2x raw; convert peak <= 1.5x raw")


if __name__ == "__main__":
    main()
