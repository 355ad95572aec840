"""How long the command line takes to refuse, against ``import tensorflow``.

Times, interleaved in the same run (median of ``--repeats`` fresh processes each):

- ``python -c pass``                       the interpreter alone
- ``python -c "import tensorflow"``        the baseline: what every refusal cost before
- ``hubcompat --version``
- ``hubcompat inspect no/such/model``      a missing path
- ``hubcompat convert SRC EXISTING_DST``   an existing destination
- ``hubcompat check SRC --reference X``    a reference file in another format
- ``hubcompat inspect SRC``                a real run (imports TensorFlow, loads the module)

and prints each as a ratio to ``import tensorflow``: a refusal well under 1.0
is answered before TensorFlow is imported (tests/commands/test_commands_startup.py
asserts that it is not imported at all).

    python benchmarks/bench_cli_startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MLP_BN = REPO / "fixtures" / "tf1_modules" / "mlp_bn"


def _time(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "hubcompat"]
    with tempfile.TemporaryDirectory() as existing:
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import tensorflow": [sys.executable, "-c", "import tensorflow"],
            "hubcompat --version": [*cli, "--version"],
            "inspect (missing path)": [*cli, "inspect", "no/such/model"],
            "convert (existing DST)": [*cli, "convert", str(MLP_BN), existing],
            "check (foreign reference)": [*cli, "check", str(MLP_BN), "--reference",
                                          str(MLP_BN) + ".reference.npz"],
            "inspect (a real run)": [*cli, "inspect", str(MLP_BN)],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeats):  # interleaved: load on the machine hits every case alike
            for name, command in cases.items():
                times[name].append(_time(command, env))
    baseline = statistics.median(times["import tensorflow"])
    print(f"{'case':28} {'median s':>9} {'/ import tensorflow':>20}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28} {median:9.3f} {median / baseline:20.2f}")


if __name__ == "__main__":
    main()
