"""Compares an outcome of a probe with what genuine tensorflow_hub did (genuine.json).

- genuine returned a value: ours returns the same (floats to 1e-5), at the same stage;
- genuine raised: ours raises at the same stage (not earlier: code builds layers outside
  ``assertRaises``), an instance of genuine's builtin exception type, and its message
  matches the probe's ``phrase`` (a regex genuine's message matches too).

``DIFFERENCES`` are the probes where hubcompat deliberately does something else; each
names the docs page that lists it (tests check the page mentions the probe) and what
hubcompat does instead.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import probes  # noqa: E402
import record  # noqa: E402

with open(record.RECORD, encoding="utf-8") as _f:
    GENUINE = json.load(_f)

# probe -> (docs page listing the difference, hubcompat's outcome)
DIFFERENCES = {
    "keras_trainable_tf1_module": (
        "docs/keras-layer.md", {"stage": "constructed", "result": [2, 3]}),
    "keras_compute_output_shape_nested": (
        "docs/keras-layer.md", {"stage": "start", "result": {"y": [None, 3], "z": [None, 3]}}),
    "ragged_keras_layer": ("docs/keras-layer.md", {"stage": "start", "result": [6.0, 6.0]}),
}


def names(keras: bool) -> list[str]:
    return sorted(name for name, p in probes.PROBES.items() if p["keras"] == keras)


def mismatch(name: str, expected: dict, actual: dict) -> str | None:
    """Why ``actual`` does not do what ``expected`` did, or None."""
    if expected["stage"] != actual["stage"]:
        return f"stage {actual['stage']!r}, genuine reached {expected['stage']!r}"
    if "raised" in expected:
        if "raised" not in actual:
            return f"returned {actual['result']!r}; genuine raised {expected['type']}"
        if expected["raised"][0] not in actual["raised"]:
            return f"raised {actual['type']} (not a {expected['raised'][0]})"
        phrase = probes.PROBES[name]["phrase"]
        if phrase is None:  # a documented difference: genuine's type is enough
            return None
        if not re.search(phrase, expected["message"]):
            return f"the phrase {phrase!r} does not match genuine's message"
        if not re.search(phrase, actual["message"]):
            return f"message {actual['message']!r} does not match {phrase!r}"
        return None
    if "raised" in actual:
        return f"raised {actual['type']}: {actual['message']}"
    if not _close(expected["result"], actual["result"]):
        return f"result {actual['result']!r}, genuine {expected['result']!r}"
    return None


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(
            a, b, abs_tol=1e-5)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return sorted(a) == sorted(b) and all(_close(a[k], b[k]) for k in a)
    return a == b


def check(name: str, hub) -> None:
    """Runs probe ``name`` with ``hub`` and asserts it behaves as recorded."""
    actual = record.run_probe(name, hub)
    if name in DIFFERENCES:
        expected = DIFFERENCES[name][1]
        assert expected["stage"] == actual["stage"] and "raised" not in actual and _close(
            expected["result"], actual["result"]), actual
        return
    problem = mismatch(name, GENUINE["probes"][name], actual)
    assert problem is None, f"{name}: {problem}"
