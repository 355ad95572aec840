"""Comparing what programs printed with what genuine tensorflow_hub printed, by value.

The legacy programs (tests/legacy_programs) print numbers rounded to a few decimals;
the references were printed on another CPU and TensorFlow. A float may round the
other way there (``0.12777`` / ``0.12778``), print as ``-0.`` for ``0.``, and shift
numpy's column padding. So the text around the numbers must be equal (whitespace
aside) and the numbers equal within one unit of their last printed digit plus
:data:`tests.support.numerics.ACROSS_MACHINES` of their magnitude.
"""

from __future__ import annotations

import re

import numpy as np

from tests.support.numerics import ACROSS_MACHINES

# A float as Python and numpy print it: a decimal point or an exponent (integers, as in
# ``fc1`` or ``step 3``, are part of the text and must be equal).
_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])"
                    r"|(?<![\w.])[-+]?\d+[eE][-+]?\d+(?![\w.])|(?<![\w.])-?(?:nan|inf)(?![\w.])")


def _parts(text: str) -> tuple[list[str], list[str]]:
    """The text between the floats (without whitespace) and the floats as printed."""
    floats = _FLOAT.findall(text)
    skeleton = ["".join(part.split()) for part in _FLOAT.split(text)]
    return skeleton, floats


def _unit(printed: str) -> float:
    """One unit in the last printed digit of ``printed`` (``0.127`` -> 0.001)."""
    mantissa, _, exponent = printed.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def _close(got: str, want: str) -> bool:
    a, b = float(got), float(want)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    if a == b:  # -0. == 0., inf == inf
        return True
    return abs(a - b) <= max(_unit(got), _unit(want)) * 1.01 + ACROSS_MACHINES * abs(b)


def assert_printed_alike(actual: str, expected: str) -> None:
    """``actual`` is ``expected`` with its floats equal by value (see the module docstring)."""
    got_text, got = _parts(actual)
    want_text, want = _parts(expected)
    if got_text != want_text or len(got) != len(want):
        assert actual == expected  # pytest shows the difference of the texts
    differ = [(g, w) for g, w in zip(got, want) if not _close(g, w)]
    assert not differ, f"printed numbers differ (printed, reference): {differ[:10]}\n{actual}"


def printed_floats(text: str, label: str, count: int = 1) -> list[list[np.ndarray]]:
    """For each line of ``text`` that starts with ``label``, the ``count`` values printed
    after it (a number, or a bracketed array over one or more lines) as flat float arrays."""
    found = []
    for match in re.finditer(rf"^{re.escape(label)}", text, re.MULTILINE):
        rest, values = text[match.end():], []
        for _ in range(count):
            rest = rest.lstrip(" ")
            if rest.startswith("["):
                end = _closing_bracket(rest) + 1
                token, rest = rest[:end], rest[end:]
            else:
                token, _, rest = rest.partition(" ")
                token = token.split("\n")[0]
            values.append(np.array([float(f) for f in _FLOAT.findall(token)]))
        found.append(values)
    return found


def _closing_bracket(text: str) -> int:
    """Where the bracket that opens ``text`` closes."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0:
            return index
    return len(text) - 1


def assert_prints(text: str, label: str, *arrays, decimals: int = 5) -> None:
    """Some line of ``text`` prints ``arrays`` (rounded to ``decimals``) after ``label``."""
    values = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    candidates = printed_floats(text, label, len(arrays))
    assert candidates, f"no line starts with {label!r} in the reference:\n{text}"
    for printed in candidates:
        if all(p.shape == v.shape and np.all(np.abs(v - p) <= _bound(p, decimals))
               for p, v in zip(printed, values)):
            return
    raise AssertionError(f"{label!r}: {values} is not what the reference printed: {candidates}")


def _bound(printed: np.ndarray, decimals: int) -> np.ndarray:
    """Rounding to ``decimals`` (either side) plus the spread between machines."""
    scale = np.abs(printed).max(initial=0.0)
    return 1.01 * 10.0 ** -decimals + ACROSS_MACHINES * (np.abs(printed) + scale)
