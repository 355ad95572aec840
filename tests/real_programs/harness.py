"""Runs real public TF1-era programs with genuine tensorflow_hub 0.15 and after
``hubcompat-migrate``, and compares what they computed, number by number.

    python tests/real_programs/harness.py --mirrors MIRRORS \\
        --genuine-python GENUINE_VENV/bin/python [--only NAME ...] [--markdown FILE]

Run it with the Python whose TensorFlow and hubcompat are under test (TF 2.21 here).
For each program of catalog.py, unedited, in a scratch folder:

- genuine: tensorflow_hub 0.15 on the genuine venv's TF (2.15). Programs written against
  the TF1 API first go through that TF's ``tf_upgrade_v2`` and get
  ``disable_v2_behavior()`` (what a user had to add by hand); TF 2.x programs run as written;
- migrated: ``hubcompat-migrate`` (nothing else) on this Python;
- upgraded (``--upgrade``): ``tf_upgrade_v2`` + ``disable_v2_behavior()``, then
  ``hubcompat-migrate``, on this Python: the route issue 20 compares with.

Every run is offline (``HUBCOMPAT_OFFLINE=1``, proxies pointing nowhere) with
``TFHUB_CACHE_DIR`` at stand-in modules that genuine tensorflow_hub exported with the
published interfaces (standins.py), keyed as tensorflow_hub keys its cache. capture.py
keeps what the programs' ``Session.run`` calls returned; printed numbers and numbers in the
files they write are compared too (tolerances scale with the values' magnitude).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from catalog import OURS, PROGRAMS  # noqa: E402

ALL = {**PROGRAMS, **OURS}

CAPTURE = os.path.join(HERE, "capture.py")
STANDINS = os.path.join(HERE, "standins.py")
TIMEOUT = 900
# float32 computed by different TF builds and graph layouts: a few ulps of each value,
# relative to the largest magnitude of the output (printed numbers have ~8 digits).
RTOL, ATOL_SCALE = 1e-4, 1e-5

FLOWER_IMAGES = r"""
import os, sys
import numpy as np
import tensorflow as tf
root = sys.argv[1]
rng = np.random.default_rng(7)
for label in ("daisy", "roses"):
    os.makedirs(os.path.join(root, label), exist_ok=True)
    for i in range(20):
        pixels = rng.integers(0, 256, (48, 40, 3), dtype=np.uint8)
        data = tf.io.encode_jpeg(pixels).numpy()
        with open(os.path.join(root, label, "img%d.jpg" % i), "wb") as f:
            f.write(data)
"""
TEXT_EMBEDDINGS = r"""
import os, sys
import numpy as np
os.makedirs(sys.argv[1])
rng = np.random.default_rng(11)
words = "the cat is on mat dogs are in fog a great movie".split()
with open(os.path.join(sys.argv[1], "embeddings.txt"), "w") as f:
    for word in words:
        f.write(word + " " + " ".join("%.6f" % v for v in rng.normal(0, 1, 8)) + "\n")
"""
DATA = {"flower_photos": FLOWER_IMAGES, "text_embeddings": TEXT_EMBEDDINGS}


def mirror_git(mirrors: str, repo: str) -> str:
    base = os.path.join(mirrors, repo.replace("/", "+"), "repo")
    return base if os.path.isfile(os.path.join(base, "HEAD")) else os.path.join(base, ".git")


def program_source(mirrors: str | None, spec: dict) -> bytes:
    if "source" in spec:  # one of ours
        with open(os.path.join(HERE, spec["source"]), "rb") as f:
            return f.read()
    if not mirrors:
        raise SystemExit(f"{spec['repo']}: give --mirrors (git snapshots of the repositories)")
    return subprocess.run(
        ["git", "--git-dir", mirror_git(mirrors, spec["repo"]), "show",
         f"{spec['commit']}:{spec['path']}"],
        check=True, capture_output=True).stdout


def run_env(cache: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(TFHUB_CACHE_DIR=cache, HUBCOMPAT_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3",
               CUDA_VISIBLE_DEVICES="", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
               HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
               http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
               NO_PROXY="", no_proxy="")
    env.pop("PYTHONPATH", None)
    return env


def tool(python: str, name: str) -> str:
    return os.path.join(os.path.dirname(python), name)


def last_error(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Exit)\b", line) or "Error:" in line:
            return line[:300]
    return (lines[-1] if lines else "no output")[:300]


class Failed(Exception):
    pass


def prepare(root: str, variant: str, spec: dict, source: bytes, data: str | None,
            local_modules: dict) -> tuple[str, list[str]]:
    folder = os.path.join(root, variant)
    program = os.path.join(folder, spec.get("path") or os.path.basename(spec["source"]))
    os.makedirs(os.path.dirname(program), exist_ok=True)
    with open(program, "wb") as f:
        f.write(source)
    for relpath, module in local_modules.items():
        shutil.copytree(module, os.path.join(folder, relpath))
    work = os.path.join(folder, "_work")
    os.makedirs(work)
    args = [a.replace("{data}", data or "").replace("{work}", work)
            for a in spec.get("args", [])]
    return program, args


def tf_upgrade(python: str, program: str) -> None:
    out = program + ".upgraded"
    proc = subprocess.run(
        [tool(python, "tf_upgrade_v2"), "--infile", program, "--outfile", out,
         "--reportfile", program + ".upgrade_report.txt"],
        capture_output=True, text=True, timeout=TIMEOUT)
    if proc.returncode != 0 or not os.path.exists(out):
        raise Failed("tf_upgrade_v2: " + last_error(proc.stdout + proc.stderr))
    os.replace(out, program)


def hand_edit(program: str, edits: list) -> None:
    """The edits a user made by hand after tf_upgrade_v2 (catalog: ``genuine_edits``)."""
    with open(program, encoding="utf-8") as f:
        text = f.read()
    for old, new in edits:
        if old not in text:
            raise Failed(f"hand edit: {old!r} is not in the upgraded program")
        text = text.replace(old, new)
    with open(program, "w", encoding="utf-8") as f:
        f.write(text)


def migrate(python: str, program: str) -> None:
    proc = subprocess.run(
        [python, "-m", "hubcompat.migrate", "--no-progress", "-q", program],
        capture_output=True, text=True, timeout=TIMEOUT)
    if proc.returncode != 0:
        raise Failed(f"hubcompat-migrate exit {proc.returncode}: "
                     + last_error(proc.stdout + proc.stderr))


def capture(python: str, program: str, args: list[str], cache: str, disable_v2: bool) -> dict:
    out = os.path.join(os.path.dirname(program), "_capture.npz")
    env = run_env(cache)
    if disable_v2:
        env["CAPTURE_DISABLE_V2"] = "1"
    try:
        proc = subprocess.run([python, CAPTURE, out, program, *args], capture_output=True,
                              text=True, env=env, cwd=os.path.dirname(program),
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise Failed(f"timed out after {TIMEOUT} s") from e
    if proc.returncode != 0:
        raise Failed(last_error(proc.stderr + "\n" + proc.stdout))
    with np.load(out) as saved:
        runs = {k: saved[k] for k in saved.files}
    return {"runs": runs, "stdout": proc.stdout, "stderr": proc.stderr}


NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|\bnan\b|\binf\b")


def numbers(text: str) -> np.ndarray:
    return np.array([float(m) for m in NUMBER.findall(text)], dtype=np.float64)


TENSOR_DICT = re.compile(r"\{(?:'[^']+': <tf\.Tensor [^>]*>(?:, )?)+\}")
TENSOR_ITEM = re.compile(r"'([^']+)': (<tf\.Tensor [^>]*>)")


def sorted_tensor_dicts(text: str) -> str:
    """Printed dicts of tensors with their items sorted by key: tensorflow_hub builds the
    outputs dict in the order of the signature's protobuf map, which is the protobuf
    library's hash order, not something a program can rely on."""
    return TENSOR_DICT.sub(
        lambda m: "{" + ", ".join(f"'{k}': {v}" for k, v in sorted(TENSOR_ITEM.findall(
            m.group(0)))) + "}", text)


def close(a: np.ndarray, b: np.ndarray) -> str | None:
    """None if equal within tolerance, else what differs."""
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        scale = float(np.nanmax(np.abs(b64))) if b64.size and np.isfinite(b64).any() else 1.0
        ok = np.isclose(a64, b64, rtol=RTOL, atol=ATOL_SCALE * max(scale, 1e-30),
                        equal_nan=True)
        if not ok.all():
            i = np.unravel_index(int(np.argmin(ok)), ok.shape)
            return f"at {tuple(int(x) for x in i)}: {a64[i]!r} vs {b64[i]!r} (max |x| {scale:.3g})"
        return None
    return None if np.array_equal(a, b) else "values differ"


def compare_modules(got: str, ref: str) -> tuple[str, int]:
    """Two exported TF1 Hub modules: same files, same tfhub_module.pb and assets, and the
    same variable values (read with this TensorFlow's checkpoint reader)."""
    import tensorflow as tf

    def files(root):
        return sorted(os.path.relpath(os.path.join(d, f), root)
                      for d, _, names in os.walk(root) for f in names)

    if not os.path.isdir(ref) or files(got) != files(ref):
        return f"exported module files: {files(got)} vs {files(ref) if os.path.isdir(ref) else 'none'}", 0
    for rel in files(ref):
        if rel == "tfhub_module.pb" or rel.startswith("assets"):
            with open(os.path.join(got, rel), "rb") as a, open(os.path.join(ref, rel), "rb") as b:
                if a.read() != b.read():
                    return f"exported module: {rel} differs", 0
    got_vars = tf.train.load_checkpoint(os.path.join(got, "variables", "variables"))
    ref_vars = tf.train.load_checkpoint(os.path.join(ref, "variables", "variables"))
    names = sorted(ref_vars.get_variable_to_shape_map())
    if names != sorted(got_vars.get_variable_to_shape_map()):
        return "exported module: other variables", 0
    count = 0
    for name in names:
        diff = close(got_vars.get_tensor(name), ref_vars.get_tensor(name))
        if diff:
            return f"exported variable {name}: {diff}", count
        count += ref_vars.get_tensor(name).size
    return "", count


def compare(spec: dict, ref: dict, got: dict, ref_work: str,
            got_work: str) -> tuple[str, int, list[str]]:
    """('' or what differs, how many numbers were compared, notes)."""
    count, notes = 0, []
    for what in spec["compare"]:
        if what == "session":
            if sorted(ref["runs"]) != sorted(got["runs"]):
                return (f"Session.run results: {len(got['runs'])} values vs "
                        f"{len(ref['runs'])}"), count, notes
            for key in sorted(ref["runs"]):
                diff = close(got["runs"][key], ref["runs"][key])
                if diff:
                    return f"Session.run value {key}: {diff}", count, notes
                count += ref["runs"][key].size
        elif what == "stdout":
            a, b = numbers(got["stdout"]), numbers(ref["stdout"])
            diff = close(a, b)
            if diff:
                a = numbers(sorted_tensor_dicts(got["stdout"]))
                b = numbers(sorted_tensor_dicts(ref["stdout"]))
                if close(a, b):
                    return f"printed numbers: {diff}", count, notes
                notes.append("a printed dict of output tensors lists its keys in another order")
            count += b.size
        elif what.startswith("module:"):
            diff, n = compare_modules(os.path.join(got_work, what[len("module:"):]),
                                      os.path.join(ref_work, what[len("module:"):]))
            if diff:
                return diff, count, notes
            count += n
        elif what.startswith("files:"):
            pattern = what[len("files:"):]
            ref_files = sorted(os.path.relpath(p, ref_work)
                               for p in glob.glob(os.path.join(ref_work, pattern)))
            got_files = sorted(os.path.relpath(p, got_work)
                               for p in glob.glob(os.path.join(got_work, pattern)))
            if not ref_files or ref_files != got_files:
                return f"files {pattern}: {len(got_files)} vs {len(ref_files)}", count, notes
            for rel in ref_files:
                with open(os.path.join(ref_work, rel), encoding="utf-8") as f:
                    b = numbers(f.read())
                with open(os.path.join(got_work, rel), encoding="utf-8") as f:
                    a = numbers(f.read())
                diff = close(a, b)
                if diff:
                    return f"{rel}: {diff}", count, notes
                count += b.size
    return "", count, notes


def run_program(name: str, spec: dict, args: argparse.Namespace, cache: str,
                local_cache: str, data_root: str) -> dict:
    source = program_source(args.mirrors, spec)
    root = tempfile.mkdtemp(prefix=name + "-", dir=args.workdir)
    local = {rel: os.path.join(local_cache, kind)
             for rel, kind in spec.get("local_modules", {}).items()}
    data = os.path.join(data_root, spec["data"]) if spec.get("data") else None
    results = {}
    variants = ["genuine", "migrated"] + (["upgraded"] if args.upgrade else [])
    outputs = {}
    for variant in variants:
        program, prog_args = prepare(root, variant, spec, source, data, local)
        tf1 = spec["api"] == "tf1"
        try:
            if variant == "genuine":
                if tf1:
                    tf_upgrade(args.genuine_python, program)
                hand_edit(program, spec.get("genuine_edits", []))
                outputs[variant] = capture(args.genuine_python, program, prog_args, cache, tf1)
            elif variant == "migrated":
                migrate(sys.executable, program)
                outputs[variant] = capture(sys.executable, program, prog_args, cache, False)
            else:
                if tf1:
                    tf_upgrade(sys.executable, program)
                migrate(sys.executable, program)
                outputs[variant] = capture(sys.executable, program, prog_args, cache, tf1)
            outputs[variant]["work"] = os.path.join(root, variant, "_work")
        except Failed as e:
            results[variant] = {"status": "fails", "reason": str(e)}
    ref = outputs.get("genuine")
    for variant in variants[1:]:
        if variant in results:
            continue
        if ref is None:
            results[variant] = {"status": "no reference",
                                "reason": "genuine run failed"}
            continue
        diff, count, notes = compare(spec, ref, outputs[variant], ref["work"],
                                     outputs[variant]["work"])
        results[variant] = ({"status": "different", "reason": diff} if diff
                            else {"status": "same", "numbers": count})
        if notes and not diff:
            results[variant]["notes"] = sorted(set(notes))
    if "genuine" not in results:
        results["genuine"] = {"status": "ran"}
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        results["folder"] = root
    return results


def markdown(results: dict, upgrade: bool) -> str:
    head = "| program | repository (commit) | API | genuine 0.15, TF 2.15 | hubcompat-migrate, TF 2.21 |"
    rule = "| --- | --- | --- | --- | --- |"
    if upgrade:
        head += " tf_upgrade_v2 + disable_v2_behavior + hubcompat-migrate, TF 2.21 |"
        rule += " --- |"
    lines = [head, rule]

    def cell(r):
        if r["status"] == "same":
            text = f"same ({r['numbers']} numbers)" if r["numbers"] else "same (no numbers)"
            return text + "".join(f"; {n}" for n in r.get("notes", []))
        if r["status"] == "ran":
            return "ran"
        return f"{r['status']}: {r.get('reason', '')}".replace("|", "\\|")

    for name, r in results.items():
        spec = ALL[name]
        where = (f"ours: `tests/real_programs/{spec['source']}`" if "source" in spec else
                 f"[{spec['repo']}](https://github.com/{spec['repo']}/blob/{spec['commit']}/"
                 f"{spec['path'].replace(' ', '%20')}) `{spec['commit'][:7]}`")
        row = (f"| `{name}` | {where} | {spec['api']} | {cell(r['genuine'])} | "
               f"{cell(r['migrated'])} |")
        if upgrade:
            row += f" {cell(r['upgraded'])} |"
        lines.append(row)
    return "\n".join(lines) + "\n"


def run(names: list[str], genuine_python: str, mirrors: str | None = None,
        upgrade: bool = False, workdir: str | None = None, keep: bool = False,
        log=None) -> dict:
    """Runs the programs named; returns name -> variant -> {"status", "reason"/"numbers"}."""
    genuine_python = shutil.which(genuine_python) or genuine_python
    if workdir:
        os.makedirs(workdir, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="real-programs-", dir=workdir)
    options = argparse.Namespace(mirrors=mirrors, genuine_python=genuine_python,
                                 upgrade=upgrade, workdir=scratch, keep=keep)
    cache, local_cache, data_root = (os.path.join(scratch, d)
                                     for d in ("tfhub_cache", "local_modules", "data"))
    env = run_env(cache)
    specs = [ALL[n] for n in names]

    def genuine(*argv):
        proc = subprocess.run([genuine_python, *argv], env=env, capture_output=True,
                              text=True, timeout=TIMEOUT)
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed in {genuine_python}:\n{proc.stderr[-3000:]}")

    handles = sorted({h for spec in specs for h in spec["handles"]})
    genuine(STANDINS, cache, *handles)
    for kind in sorted({k for spec in specs for k in spec.get("local_modules", {}).values()}):
        genuine(STANDINS, "--module-dir", os.path.join(local_cache, kind), "--kind", kind)
    for data in sorted({spec["data"] for spec in specs if spec.get("data")}):
        genuine("-c", DATA[data], os.path.join(data_root, data))
    results = {}
    try:
        for name in names:
            results[name] = run_program(name, ALL[name], options, cache, local_cache, data_root)
            if log:
                log(name + " " + json.dumps(results[name]))
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", help="folder of git snapshots, one per repository "
                        "(owner+name/repo); not needed for --only with our programs")
    parser.add_argument("--genuine-python", required=True,
                        help="python of a venv with tensorflow_hub 0.15 (nox -s legacy_reference)")
    parser.add_argument("--only", nargs="*", help=f"program names (default: the real ones; "
                        f"ours: {', '.join(OURS)})")
    parser.add_argument("--upgrade", action="store_true",
                        help="also run tf_upgrade_v2 + disable_v2_behavior + hubcompat-migrate")
    parser.add_argument("--markdown", help="write the results table here")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--workdir", help="scratch folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep each program's folders")
    args = parser.parse_args(argv)
    names = args.only or list(PROGRAMS)
    unknown = sorted(set(names) - set(ALL))
    if unknown:
        parser.error(f"unknown programs: {unknown}; known: {sorted(ALL)}")
    results = run(names, args.genuine_python, args.mirrors, args.upgrade, args.workdir,
                  args.keep, log=lambda line: print(line, flush=True))
    table = markdown(results, args.upgrade)
    print(table)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(table)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    return 0 if all(r["migrated"]["status"] == "same" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
