"""Load time of a module with hundreds of variables and regularization losses.

Measures, in one run and on the same module folder (default: the inception-like
fixture exported by genuine tensorflow_hub 0.15, 706 variables and 177
weight-decay losses), the median of ``--loads`` loads each of:

- ``tf.compat.v1.saved_model.load_v2`` + the first call of ``signatures["default"]``
  (the baseline);
- ``hubcompat.load`` + the first call (target: <= 1.3x the baseline, whatever
  the number of losses);
- and, for information, the first evaluation of every regularization loss
  after that (each loss is traced when first called).

    python benchmarks/bench_losses.py [MODULE_DIR] [--loads N]
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

DEFAULT = REPO / "fixtures" / "genuine_tf15" / "architectures" / "inception_like"


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="?", default=str(DEFAULT))
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()

    probe = hubcompat.load(args.module)
    (name, desc), = probe.get_input_info_dict().items()
    shape = [2 if d is None else d for d in desc.shape.as_list()]
    x = tf.constant(np.random.RandomState(0).rand(*shape).astype(desc.dtype.as_numpy_dtype))
    n_variables, n_losses = len(probe.variables), len(probe.regularization_losses)
    del probe

    def raw():
        return tf.compat.v1.saved_model.load_v2(args.module, tags=[]).signatures["default"](
            **{name: x})

    def ours():
        module = hubcompat.load(args.module)
        module(x)
        return module

    raw_times, our_times, loss_times = [], [], []
    for _ in range(args.loads):  # interleaved, so that machine noise hits both alike
        raw_times.append(_timed(raw)[0])
        seconds, module = _timed(ours)
        our_times.append(seconds)
        loss_times.append(_timed(lambda m=module: [loss() for loss in m.regularization_losses])[0])
    lb, lo = statistics.median(raw_times), statistics.median(our_times)
    print(f"module: {args.module} ({n_variables} variables, {n_losses} regularization losses)")
    print(f"load+first call  hubcompat {lo:7.2f} s   load_v2 {lb:7.2f} s   "
          f"ratio {lo / lb:.3f}  (target <= 1.3)")
    print(f"then every regularization loss once (traced on first call): "
          f"{statistics.median(loss_times):.2f} s")


if __name__ == "__main__":
    main()
