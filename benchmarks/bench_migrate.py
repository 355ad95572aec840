"""Throughput of ``python -m hubcompat.migrate`` on a large real tree, with baselines.

The tree: the installed TensorFlow and Keras sources copied to a temp folder
(a deterministic sample of ``--files`` of them; ``--files 0`` for all). None
of them mentions tensorflow_hub, so two variants are timed:

- ``as-is``: what a whole-repo run costs when few files use tensorflow_hub
  (most are skipped before parsing);
- ``forced``: ``import tensorflow_hub as _bench_hub`` appended to every file,
  so every file is parsed, rewritten and compiled (the worst case).

Baselines measured in the same run on the same files: plain libcst
parse + codegen (in process), and tf_upgrade_v2's per-file upgrader (in
process, TensorFlow import excluded) on the files it can parse. Our CLI is
timed as a real process (``--check``, ``--jobs 1`` and ``--jobs 2``, start-up
included). Also: ``--help`` start-up time vs ``python -c pass`` and
``tf_upgrade_v2 --help``. Prints files/second and ratios.

    python benchmarks/bench_migrate.py [--files 400] [--target hubcompat]
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


def sample_sources(limit: int) -> list[Path]:
    site = Path(sysconfig.get_paths()["purelib"])
    files = sorted(p for pkg in ("tensorflow", "keras") for p in (site / pkg).rglob("*.py"))
    if limit and len(files) > limit:
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def copy_tree(files: list[Path], dest: Path, forced: bool) -> list[Path]:
    site = Path(sysconfig.get_paths()["purelib"])
    out = []
    for src in files:
        target = dest / src.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        if forced:
            data = target.read_bytes()
            newline = b"" if data.endswith(b"\n") or not data else b"\n"
            target.write_bytes(data + newline + b"import tensorflow_hub as _bench_hub\n")
        out.append(target)
    return out


def run_cli(tree: Path, jobs: int, target: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "hubcompat.migrate", str(tree), "--check", "--no-progress", "-q",
           "--no-config", "--target", target, "--jobs", str(jobs)]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1, 3):
        raise SystemExit(f"hubcompat.migrate failed: {done.stderr}")
    return elapsed


def libcst_roundtrip(files: list[Path]) -> tuple[float, int]:
    import libcst as cst

    start, ok = time.perf_counter(), 0
    for path in files:
        try:
            cst.parse_module(path.read_bytes()).code  # noqa: B018 - codegen is the point
            ok += 1
        except Exception:  # noqa: BLE001 - a baseline, failures are only counted
            pass
    return time.perf_counter() - start, ok


def tf_upgrade_v2(files: list[Path], out: Path) -> tuple[float, int, int]:
    """Per-file tf_upgrade_v2 upgrader; returns (seconds on parsed files, parsed, failed)."""
    import contextlib
    import io

    from tensorflow.tools.compatibility import ast_edits
    from tensorflow.tools.compatibility import tf_upgrade_v2 as spec_module

    upgrader = ast_edits.ASTCodeUpgrader(spec_module.TFAPIChangeSpec())
    total, parsed, failed = 0.0, 0, 0
    for i, path in enumerate(files):
        start = time.perf_counter()
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                upgrader.process_file(str(path), str(out / f"{i}.py"))
        except Exception:  # noqa: BLE001 - tf_upgrade_v2 aborts on what it cannot parse
            failed += 1
            continue
        total += time.perf_counter() - start
        parsed += 1
    return total, parsed, failed


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
    parser.add_argument("--files", type=int, default=400, help="sample size (0: all files)")
    parser.add_argument("--target", default="hubcompat", choices=["hubcompat", "modern"])
    parser.add_argument("--skip-tf-upgrade", action="store_true")
    args = parser.parse_args()

    files = sample_sources(args.files)
    size = sum(p.stat().st_size for p in files) / 1e6
    print(
        f"{len(files)} files ({size:.1f} MB) from the installed tensorflow + keras, target {args.target}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        as_is = tmp_path / "as_is"
        forced_tree = tmp_path / "forced"
        copy_tree(files, as_is, forced=False)
        forced = copy_tree(files, forced_tree, forced=True)
        n = len(files)

        base_s, base_ok = libcst_roundtrip(forced)
        base_rate = base_ok / base_s
        print(
            f"libcst parse+codegen (in process)       {base_rate:8.1f} files/s  ({base_ok} parsed)"
        )
        rates = {}
        for label, tree in (("as-is", as_is), ("forced", forced_tree)):
            for jobs in (1, 2):
                seconds = run_cli(tree, jobs, args.target)
                rates[(label, jobs)] = n / seconds
                print(
                    f"hubcompat.migrate {label:6} --jobs {jobs}        {n / seconds:8.1f} files/s  "
                    f"({seconds:.2f} s, {n / seconds / base_rate:.2f}x libcst round trip)"
                )
        print(
            f"--jobs 2 / --jobs 1 (forced)            {rates[('forced', 2)] / rates[('forced', 1)]:8.2f}x"
        )

        tf_rate = None
        if not args.skip_tf_upgrade:
            out = tmp_path / "tf_upgrade_out"
            out.mkdir()
            tf_s, tf_ok, tf_failed = tf_upgrade_v2(
                [as_is / p.relative_to(forced_tree) for p in forced], out
            )
            tf_rate = tf_ok / tf_s if tf_s else float("nan")
            print(
                f"tf_upgrade_v2 per file (in process)     {tf_rate:8.1f} files/s  "
                f"({tf_ok} parsed, {tf_failed} it could not)"
            )
            print(
                f"hubcompat.migrate forced --jobs 1 / tf_upgrade_v2: {rates[('forced', 1)] / tf_rate:.2f}x, "
                f"--jobs 2: {rates[('forced', 2)] / tf_rate:.2f}x, as-is --jobs 1: "
                f"{rates[('as-is', 1)] / tf_rate:.2f}x"
            )

    python = startup([sys.executable, "-c", "pass"])
    ours = startup([sys.executable, "-m", "hubcompat.migrate", "--help"])
    print(
        f"start-up: python -c pass {python * 1000:.0f} ms, "
        f"python -m hubcompat.migrate --help {ours * 1000:.0f} ms"
    )
    tf_cli = shutil.which("tf_upgrade_v2") or str(Path(sys.executable).with_name("tf_upgrade_v2"))
    if os.path.exists(tf_cli):
        theirs = startup([tf_cli, "--help"], repeat=3)
        print(f"          tf_upgrade_v2 --help {theirs * 1000:.0f} ms ({theirs / ours:.1f}x ours)")


if __name__ == "__main__":
    main()
