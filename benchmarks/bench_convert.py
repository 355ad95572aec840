"""What ``hubcompat convert`` buys at run time, and what ``check`` costs.

Measures, in one run, on the same module:
- load + first call of the converted SavedModel (``tf.saved_model.load``) vs the
  TF1 module through ``hubcompat.load`` (the baseline) and through
  ``tf.compat.v1.saved_model.load_v2`` (what ``hub.load`` does);
- per-call latency of the converted ``obj(x)`` vs ``hubcompat.load``'s adapter;
- ``convert`` (with its parity check) and ``check`` (all checks) wall time,
  as multiples of one ``hubcompat.load`` + first call.

    python benchmarks/bench_convert.py [MODULE_DIR] [--calls N] [--loads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import tensorflow as tf  # noqa: E402

import hubcompat  # noqa: E402
from hubcompat.example_inputs import example_inputs, input_specs  # noqa: E402


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _median(fn, repeats: int) -> float:
    return statistics.median(_seconds(fn) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="?", default=str(REPO / "fixtures/tf1_modules/mlp_bn"))
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--loads", type=int, default=9)
    args = parser.parse_args()

    adapter = hubcompat.load(args.module)
    (name, x), = example_inputs(input_specs(adapter, "default")).items()
    with tempfile.TemporaryDirectory() as tmp:
        converted_path = os.path.join(tmp, "converted")
        convert_time = _seconds(lambda: hubcompat.convert(args.module, converted_path))
        converted = tf.saved_model.load(converted_path)
        tf.debugging.assert_near(converted(x, training=False), adapter(x), atol=1e-5)

        loads: dict[str, list[float]] = {"hubcompat.load": [], "load_v2": [], "converted": []}
        for _ in range(args.loads):  # interleaved, so noise hits all alike
            loads["hubcompat.load"].append(_seconds(lambda: hubcompat.load(args.module)(x)))
            loads["load_v2"].append(_seconds(
                lambda: tf.compat.v1.saved_model.load_v2(args.module, tags=[])
                .signatures["default"](**{name: x})))
            loads["converted"].append(_seconds(
                lambda: tf.saved_model.load(converted_path)(x, training=False)))
        load = {k: statistics.median(v) for k, v in loads.items()}

        for _ in range(50):
            adapter(x), converted(x, training=False)
        ours, theirs = [], []
        for _ in range(5):
            ours.append(_median(lambda: adapter(x), args.calls // 5))
            theirs.append(_median(lambda: converted(x, training=False), args.calls // 5))
        call_adapter, call_converted = statistics.median(ours), statistics.median(theirs)

    from hubcompat.checks import run_checks

    check_time = _seconds(lambda: run_checks(args.module))
    base = load["hubcompat.load"]
    print(f"module: {args.module}")
    for key, value in load.items():
        print(f"load+first call  {key:15s} {value * 1e3:8.1f} ms   ratio {value / base:.2f}")
    print(f"call  converted {call_converted * 1e6:8.1f} us   hubcompat.load {call_adapter * 1e6:8.1f} us"
          f"   ratio {call_converted / call_adapter:.2f}")
    print(f"convert (with parity check) {convert_time:.2f} s = {convert_time / base:.1f}x one load")
    print(f"check (all checks)          {check_time:.2f} s = {check_time / base:.1f}x one load")


if __name__ == "__main__":
    main()
