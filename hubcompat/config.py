"""Environment settings, read in one place.

Read at call time (not import time) so tests and users can change the
environment without reloading hubcompat.
"""

from __future__ import annotations

import os


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def use_legacy_keras() -> bool:
    """True when ``TF_USE_LEGACY_KERAS`` asks for tf-keras instead of Keras 3."""
    return _flag("TF_USE_LEGACY_KERAS")
