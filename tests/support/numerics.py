"""How tests compare numbers: tolerances scaled to the values' magnitude, one rule.

float32 results depend on the order in which a kernel sums: Intel and AMD CPUs
(different SIMD widths), arm64, oneDNN on or off (``TF_ENABLE_ONEDNN_OPTS``), a
graph run by a Session (Grappler fuses ops) or the same ops run eagerly. The
rounding error of one element is proportional to the magnitude of the terms summed
into it, not to the element itself: a gradient element near 0 can be a sum of large
terms. So, as numpy's ``assert_allclose`` (``rtol``) and Keras' tests
(``self.assertAllClose``: an ``atol`` beside the ``rtol``) do, an element may differ by

    rtol * (|expected element| + max |expected| over the array)

(``atol = rtol * scale`` with ``scale`` the array's largest magnitude). A scalar is
its own scale; arrays that are all zeros must be zeros. NaN equals NaN, ``-0.0``
equals ``0.0``. Never compare printed floats as text: :mod:`tests.support.printed`.

Tolerances, by where the expected numbers come from:

- :data:`SAME_MACHINE`: TensorFlow on the running machine computed them (a TF1
  Session, tests/support/tf1_session.py, or another hubcompat path).
- :data:`ACROSS_MACHINES`: a stored genuine reference (``*.reference.npz``,
  tests/legacy_programs/references), recorded once on another CPU and TensorFlow.
- :data:`ACROSS_MACHINES_GRADIENTS`: a stored reference's gradients, scaled to the
  largest gradient of the call (``of=``: a gradient is one vector over every variable).
  A gradient is not continuous in its inputs: a ReLU input within rounding of 0 passes
  its gradient on one machine and not on another.

Measured (docs/tests.md, "Tolerances"): the stored call-by-call references of
fixtures/genuine_tf15/architectures (recorded with genuine tensorflow_hub on another
CPU) against what TF 2.21 (hubcompat) computes on an AMD EPYC with oneDNN on and off,
and TF 2.15 (genuine tensorflow_hub itself, oneDNN on and off) on the same machine.
Outputs and state: at most 3e-7 of their scale; ACROSS_MACHINES leaves room for
kernels not measured (arm64, AVX-512, TF 2.13-2.16), while a wrong result (a missing
term, another variable's value) is off by more than 1e-2. Gradients: within 2.5e-6 of
the call's largest gradient, except inception_like's second inference call with oneDNN
off, where 104 of its 352 gradients differ by up to 5.7e-4 of it (1.76e-3; a ReLU at
its kink upstream of Mixed_14; genuine on TF 2.15 flips it the same way, and the machine
of issue 21 flipped it with oneDNN on too):
ACROSS_MACHINES_GRADIENTS is 3.5x that.
"""

from __future__ import annotations

import numpy as np

SAME_MACHINE = 1e-5
ACROSS_MACHINES = 1e-4
ACROSS_MACHINES_GRADIENTS = 2e-3


def scale(expected) -> float:
    """The largest finite magnitude in ``expected`` (0.0 when there is none)."""
    values = np.abs(np.asarray(expected, dtype=np.float64))
    finite = values[np.isfinite(values)]
    return float(finite.max(initial=0.0))


def assert_close(actual, expected, *, rtol: float = SAME_MACHINE, err_msg: str = "",
                 of: float | None = None) -> None:
    """``actual`` equals ``expected`` within ``rtol`` of each element plus ``rtol`` of the
    array's scale (see the module docstring), or of ``of`` when the array is one part of a
    larger whole (a gradient is one variable's part of the gradient of every variable);
    shapes must be equal."""
    expected = np.asarray(expected)
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, (
        f"{err_msg}: shape {actual.shape} differs from the expected {expected.shape}")
    if expected.dtype.kind not in "fc" and actual.dtype.kind not in "fc":
        np.testing.assert_array_equal(actual, expected, err_msg=err_msg)
        return
    magnitude = scale(expected) if of is None else max(of, scale(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * magnitude,
                               equal_nan=True, err_msg=err_msg)
