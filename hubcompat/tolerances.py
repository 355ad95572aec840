"""The tolerances of hubcompat's comparisons, in one place (no imports).

:mod:`hubcompat.parity` compares with them; the CLI (``check --atol/--rtol``,
``convert --atol``) and the pytest plugin read their defaults from here
before TensorFlow (or numpy, not a dependency without ``[tf]``) is imported.
"""

from __future__ import annotations

DEFAULT_ATOL = 1e-5  # check --atol, convert --atol, hubcompat.testing --hubcompat-atol
DEFAULT_RTOL = 1e-5  # check --rtol, --hubcompat-rtol (convert compares with atol alone)
# Outputs that differ by more than this between inference and training mode
# count as changed by training=True (inspect).
TRAINING_ATOL = 1e-6
