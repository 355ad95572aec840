"""Loader overhead: hubcompat.load vs tf.compat.v1.saved_model.load_v2.

Measures, in one run and on the same module folder:
- per-call latency of ``adapter(x)`` vs the raw ``load_v2(...).signatures["default"](x=x)``;
- load time of ``hubcompat.load`` vs ``load_v2`` (each in a fresh state).
Prints medians and the ratios (targets: call <= 1.05x, load <= 1.3x).

    python benchmarks/bench_loader.py [MODULE_DIR] [--calls N] [--loads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import hubcompat  # noqa: E402


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _example_input(module):
    info = module.get_input_info_dict()
    (name, desc), = info.items()
    shape = [2 if d is None else d for d in desc.shape.as_list()]
    return name, tf.constant(np.random.RandomState(0).rand(*shape).astype(desc.dtype.as_numpy_dtype))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="?", default=str(REPO / "fixtures/tf1_modules/mlp_bn"))
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--loads", type=int, default=15)
    args = parser.parse_args()

    adapter = hubcompat.load(args.module)
    raw = tf.compat.v1.saved_model.load_v2(args.module, tags=[])
    name, x = _example_input(adapter)
    raw_signature = raw.signatures["default"]
    np.testing.assert_allclose(adapter({name: x}), raw_signature(**{name: x})["default"], atol=1e-6)

    # Interleave the two so that machine noise hits both alike.
    for _ in range(50):  # warm up
        adapter(x), raw_signature(**{name: x})
    call_ours, call_raw = [], []
    for _ in range(5):
        call_ours.append(_median_time(lambda: adapter(x), args.calls // 5))
        call_raw.append(_median_time(lambda: raw_signature(**{name: x}), args.calls // 5))
    ours, base = statistics.median(call_ours), statistics.median(call_raw)

    load_ours, load_raw = [], []
    for _ in range(args.loads):
        load_ours.append(_median_time(lambda: hubcompat.load(args.module)(x), 1))
        load_raw.append(_median_time(
            lambda: tf.compat.v1.saved_model.load_v2(args.module, tags=[]).signatures["default"](
                **{name: x}), 1))
    lo, lb = statistics.median(load_ours), statistics.median(load_raw)

    print(f"module: {args.module}")
    print(f"call  hubcompat {ours * 1e6:8.1f} us   load_v2 signature {base * 1e6:8.1f} us   "
          f"ratio {ours / base:.3f}  (target <= 1.05)")
    print(f"load+first call  hubcompat {lo * 1e3:8.1f} ms   load_v2 {lb * 1e3:8.1f} ms   "
          f"ratio {lo / lb:.3f}  (target <= 1.3)")


if __name__ == "__main__":
    main()
