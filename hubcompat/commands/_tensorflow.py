"""TensorFlow for the command line: imported late, and quiet unless ``--verbose``.

TensorFlow and absl print start-up lines (oneDNN, CUDA drivers, ``E0000 ...
cuInit`` on a CPU machine, CPU features) before the first line of output. Some
of them are printed before absl's logging is initialised, where
``TF_CPP_MIN_LOG_LEVEL`` has no effect (TF 2.16 and later), so quiet mode also
points file descriptor 2 at /dev/null while ``import tensorflow`` runs.
Errors still reach stderr: Python exceptions are printed by hubcompat after
the import, and later TensorFlow messages are filtered by level only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from types import ModuleType

_state = {"verbose": False}


def configure(verbose: bool) -> None:
    """Sets the environment TensorFlow reads when it is imported (nothing is imported here)."""
    _state["verbose"] = verbose
    if verbose:
        return
    if int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") or 0) < 3:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    for name in ("tensorflow", "absl", "keras", "tf_keras", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"(tensorflow|keras|tf_keras|absl|h5py)(\.|$)")


def import_tensorflow(what: str) -> ModuleType:
    """Imports TensorFlow (quietly unless verbose); a missing TensorFlow is a clear error."""
    from hubcompat import preflight

    preflight.require_tensorflow(what)
    if "tensorflow" in sys.modules or _state["verbose"]:
        import tensorflow as tf
    else:
        with _stderr_silenced():
            import tensorflow as tf
        tf.get_logger().setLevel(logging.ERROR)
        with contextlib.suppress(ImportError):
            from absl import logging as absl_logging

            absl_logging.set_verbosity(absl_logging.ERROR)
    return tf


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (e.g. pythonw)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
