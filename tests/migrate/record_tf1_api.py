"""Record TensorFlow's own API as the data ``codemods/_tf1_api.py`` (the TF1 -> TF2 table).

The migration of TF1 programs (``codemods/tf1_program.py``) must not import
TensorFlow, so what it needs to know about TensorFlow's API is recorded here,
once, from TensorFlow itself (with ``TF_USE_LEGACY_KERAS=1``: ``tf.compat.v1.layers``
needs tf-keras), and committed:

- ``V1_ONLY``: names under ``tf.compat.v1`` of the newest TensorFlow that the
  top-level ``tf`` (v2) API lacks (only the shortest such prefix: ``layers``,
  not ``layers.dense``);
- ``V2_ONLY``: likewise, names of ``tf`` that ``tf.compat.v1`` lacks;
- ``REMOVED``: names ``tf.compat.v1`` had in TF 2.15 and has no more
  (``estimator``): such programs run on TF <= 2.15 only;
- ``V1_SEMANTICS``: names both APIs have that tf_upgrade_v2 (of either
  version) renames, because the v2 one differs (``summary.scalar``): spelled
  ``tf.compat.v1.`` where a file keeps v2 behaviour;
- ``CONTRIB_RENAMES``: ``tf.contrib.*`` symbols and their successors, from
  tf_upgrade_v2's tables (``all_renames_v2``) of both TensorFlow versions;
- ``SLIM_LAYERS``: what tf-slim (the maintained extraction of ``tf.contrib.slim``
  and ``tf.contrib.layers``) exports from its ``layers`` package: the successors
  of ``tf.contrib.layers.<name>`` (``fully_connected``, ``xavier_initializer``).

Run with the newest TensorFlow, pointing ``--tf215-python`` at a Python with
TensorFlow 2.15 (the genuine tensorflow_hub venv)::

    .venv/bin/python tests/migrate/record_tf1_api.py --tf215-python GENUINE_VENV/bin/python

``keras`` (a lazy loader of Keras 2 or 3), ``compat`` and private names are
not walked: they are not part of the v1/v2 difference.
"""

from __future__ import annotations

import argparse
import json
import pprint
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "codemods" / "_tf1_api.py"
SKIP = {"keras", "compat", "estimator_lib"}

WALK = r'''
import json, sys, types, warnings
warnings.filterwarnings("ignore")
import tensorflow as tf
from tensorflow.tools.compatibility import all_renames_v2

SKIP = set(sys.argv[1].split(","))

def walk(module, prefix, out, seen):
    try:
        names = dir(module)
    except Exception:
        return
    for name in names:
        if name.startswith("_") or (not prefix and name in SKIP):
            continue
        full = prefix + name
        try:
            value = getattr(module, name)
        except Exception:
            continue
        out.add(full)
        if isinstance(value, types.ModuleType) and id(value) not in seen:
            mod = getattr(value, "__name__", "")
            if mod.startswith(("tensorflow", "tf_estimator", "keras", "tf_keras")) and full.count(".") < 6:
                seen.add(id(value))
                walk(value, full + ".", out, seen)

v1, v2 = set(), set()
walk(tf.compat.v1, "", v1, set())
walk(tf, "", v2, set())
renames = dict(all_renames_v2.symbol_renames)
contrib = {k: v for k, v in renames.items() if k.startswith("tf.contrib.")}
others = sorted(k for k in renames if not k.startswith("tf.contrib."))
try:
    import tf_slim
    slim_layers = sorted(
        n for n in dir(tf_slim)
        if not n.startswith("_")
        and str(getattr(getattr(tf_slim, n), "__module__", "")).startswith("tf_slim.layers")
    )
except ImportError:
    slim_layers = []
json.dump({"version": tf.__version__, "v1": sorted(v1), "v2": sorted(v2), "contrib": contrib,
           "renamed": others, "slim_layers": slim_layers}, sys.stdout)
'''


def record(python: str, legacy_keras: bool) -> dict:
    run = subprocess.run(
        [python, "-c", WALK, ",".join(sorted(SKIP))],
        capture_output=True, text=True, check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin",
             **({"TF_USE_LEGACY_KERAS": "1"} if legacy_keras else {})},
    )  # fmt: skip
    return json.loads(run.stdout)


def minimal(names: set[str]) -> list[str]:
    """The names whose parent is not in the set (``layers`` stands for ``layers.dense``)."""
    return sorted(n for n in names if n.rpartition(".")[0] not in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tf215-python", required=True, help="a Python with TensorFlow 2.15")
    parser.add_argument("--python", default=sys.executable, help="a Python with the newest TF")
    parser.add_argument("--out", default=str(OUT), help="where to write (default: the table)")
    args = parser.parse_args()
    new, old = record(args.python, True), record(args.tf215_python, False)
    v1, v2 = set(new["v1"]), set(new["v2"])
    removed = {n for n in old["v1"] if n not in v1 and n not in v2}
    contrib = {**old["contrib"], **new["contrib"]}
    contrib = {k.removeprefix("tf."): v.removeprefix("tf.") for k, v in sorted(contrib.items())}
    renamed = {n.removeprefix("tf.") for n in [*old["renamed"], *new["renamed"]]}
    semantics = sorted(n for n in renamed if n in v1 and n in v2)
    body = [
        f'"""Generated by tests/migrate/record_tf1_api.py from TensorFlow {new["version"]} and '
        f'{old["version"]}: do not edit.',
        "",
        "Names are relative to ``tf`` (``tf.compat.v1`` for V1_ONLY); see the script's doc.",
        '"""',
        "",
        f"NEWEST = {new['version']!r}",
        f"V1_ONLY = frozenset({pprint.pformat(minimal(v1 - v2), width=96, compact=True)})",
        f"V2_ONLY = frozenset({pprint.pformat(minimal(v2 - v1), width=96, compact=True)})",
        f"REMOVED = frozenset({pprint.pformat(minimal(removed), width=96, compact=True)})",
        f"V1_SEMANTICS = frozenset({pprint.pformat(semantics, width=96, compact=True)})",
        f"CONTRIB_RENAMES = {pprint.pformat(contrib, width=96)}",
        f"SLIM_LAYERS = frozenset({pprint.pformat(new['slim_layers'], width=96, compact=True)})",
        "",
    ]
    Path(args.out).write_text("\n".join(body), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
