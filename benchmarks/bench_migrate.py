"""Speed of ``python -m hubcompat.migrate`` on a large tree, against baselines in the same run.

The tree (issue 13's shape): the installed ``tf_keras`` and ``tf_slim``
sources as they are (none mentions tensorflow_hub: a whole-repo run must skip
them cheaply), plus ``--hub-files`` (default 660) files that use the TF1
tensorflow_hub API: small real TensorFlow / Keras source files (a deterministic
sample of 300 B - 2.5 KB ones, no ``__init__``) with one of several TF1 hub snippets appended (eager ``hub.Module``
calls, trainable modules, ``from tensorflow_hub import``, Session code,
signature queries, ``KerasLayer``), so every codemod has work.

Timed, one run each, same tree:

- baseline: bare libcst ``parse_module`` + ``.code`` of the hub files, in
  process, one core;
- ``hubcompat.migrate --check --jobs N`` as a real process (start-up
  included), for ``--target hubcompat`` and ``modern``;
- ``tf_upgrade_v2``'s per-file upgrader on every file of the tree, in process
  (TensorFlow import excluded), as the other tool people run on such trees.

Prints seconds and the ratios (targets from issue 13: migrate ``--jobs 2``
<= 1.5x the baseline, >= 10x faster than tf_upgrade_v2), plus the load
average, since the machine may be shared.

    python benchmarks/bench_migrate.py [--hub-files 660] [--jobs 2] [--skip-tf-upgrade]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE = Path(sysconfig.get_paths()["purelib"])

SNIPPETS = [
    """
import tensorflow_hub as hub


def _bench_embed(sentences):
    embed = hub.Module("https://tfhub.dev/google/nnlm-en-dim128/1")
    return embed(sentences)
""",
    """
from tensorflow_hub import Module


def _bench_features(images):
    module = Module("https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/4")
    return module(images, signature="image_feature_vector", as_dict=True)["default"]
""",
    """
import tensorflow_hub as tfhub

ELMO = "https://tfhub.dev/google/elmo/3"


def _bench_elmo(tokens, lengths):
    elmo = tfhub.Module(ELMO, trainable=True)
    outputs = elmo(inputs={"tokens": tokens, "sequence_len": lengths}, signature="tokens", as_dict=True)
    return outputs["elmo"]
""",
    """
import tensorflow_hub as hub


def _bench_layer():
    return hub.KerasLayer("https://tfhub.dev/google/nnlm-en-dim50/2", trainable=False)
""",
    """
import tensorflow as _bench_tf
import tensorflow_hub as hub


def _bench_session(sentences):
    with _bench_tf.Graph().as_default():
        embed = hub.Module("https://tfhub.dev/google/universal-sentence-encoder/2")
        vectors = embed(sentences)
        with _bench_tf.compat.v1.Session() as sess:
            sess.run(_bench_tf.compat.v1.global_variables_initializer())
            return sess.run(vectors)
""",
    """
import tensorflow_hub as hub


def _bench_info(handle):
    spec = hub.load_module_spec(handle)
    height, width = hub.get_expected_image_size(spec)
    return spec.get_signature_names(), spec.get_input_info_dict(), height, width
""",
]


def build_tree(dest: Path, hub_files: int) -> tuple[list[Path], list[Path]]:
    """(files mentioning tensorflow_hub, all files) of a fresh tree under ``dest``."""
    everything = []
    for package in ("tf_keras", "tf_slim"):
        for src in sorted((SITE / package).rglob("*.py")):
            target = dest / "vendor" / src.relative_to(SITE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            everything.append(target)
    sources = sorted(p for pkg in ("tensorflow", "keras") for p in (SITE / pkg).rglob("*.py"))
    # Scripts that use tensorflow_hub are mostly small (notebook exports, examples):
    # issue 13's 660 files took 1.4 s of libcst round trip on a quiet machine.
    sources = [
        p for p in sources
        if 300 < p.stat().st_size < 2_500 and p.name != "__init__.py" and "_api" not in p.parts
    ]  # fmt: skip
    # Every source once (then again, with the next snippet) until there are hub_files.
    picked = [sources[(i * 7919) % len(sources)] for i in range(hub_files)]
    hub = []
    for i, src in enumerate(picked):
        target = dest / "project" / f"m{i:04d}_{src.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = src.read_bytes()
        newline = b"" if data.endswith(b"\n") or not data else b"\n"
        target.write_bytes(data + newline + SNIPPETS[i % len(SNIPPETS)].encode())
        hub.append(target)
    return hub, everything + hub


def libcst_roundtrip(files: list[Path]) -> float:
    import libcst as cst

    start = time.perf_counter()
    for path in files:
        cst.parse_module(path.read_bytes()).code  # noqa: B018 - codegen is the point
    return time.perf_counter() - start


def run_cli(tree: Path, jobs: int, target: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "hubcompat.migrate", str(tree), "--check", "--no-progress", "-q",
           "--no-config", "--target", target, "--jobs", str(jobs)]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"hubcompat.migrate failed ({done.returncode}): {done.stderr[-3000:]}")
    return elapsed


def tf_upgrade_v2(files: list[Path], out: Path) -> tuple[float, int]:
    """tf_upgrade_v2's per-file upgrader over ``files``; (seconds, files it could not parse)."""
    import contextlib
    import io

    from tensorflow.tools.compatibility import ast_edits
    from tensorflow.tools.compatibility import tf_upgrade_v2 as spec_module

    upgrader = ast_edits.ASTCodeUpgrader(spec_module.TFAPIChangeSpec())
    failed = 0
    start = time.perf_counter()
    for i, path in enumerate(files):
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                upgrader.process_file(str(path), str(out / f"{i}.py"))
        except Exception:
            failed += 1
    return time.perf_counter() - start, failed


def startup(cmd: list[str], repeat: int = 5) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub-files", type=int, default=660)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-tf-upgrade", action="store_true")
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        hub_files, everything = build_tree(tree, args.hub_files)
        size = sum(p.stat().st_size for p in hub_files) / 1e6
        print(
            f"tree: {len(everything)} files, {len(hub_files)} mention tensorflow_hub ({size:.1f} MB)"
        )

        base = libcst_roundtrip(hub_files)
        print(f"baseline: libcst parse + codegen of the hub files   {base:7.2f} s")
        ours = {}
        for target in ("hubcompat", "modern"):
            for jobs in sorted({1, args.jobs}):
                ours[target, jobs] = seconds = run_cli(tree, jobs, target)
                print(
                    f"migrate --target {target:9} --jobs {jobs}            {seconds:7.2f} s  "
                    f"{seconds / base:5.2f}x baseline"
                )
        if not args.skip_tf_upgrade:
            out = Path(tmp) / "tf_upgrade_out"
            out.mkdir()
            theirs, failed = tf_upgrade_v2(everything, out)
            print(
                f"tf_upgrade_v2 per-file upgrader, whole tree          {theirs:7.2f} s  "
                f"({failed} files it could not parse)"
            )
            for target in ("hubcompat", "modern"):
                print(
                    f"  migrate --target {target} --jobs {args.jobs} is "
                    f"{theirs / ours[target, args.jobs]:.1f}x faster than tf_upgrade_v2"
                )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    python = startup([sys.executable, "-c", "pass"])
    help_ = startup([sys.executable, "-m", "hubcompat.migrate", "--help"])
    print(f"start-up: python -c pass {python * 1000:.0f} ms, migrate --help {help_ * 1000:.0f} ms")


if __name__ == "__main__":
    main()
