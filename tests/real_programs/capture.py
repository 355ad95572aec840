"""Runs one program unedited and saves what its ``Session.run`` calls returned.

    python capture.py OUT.npz PROGRAM.py [ARG ...]

Standard library + numpy + TensorFlow: the genuine tensorflow_hub venv (TF 2.15) runs it
as well as the hubcompat one. ``Session.run`` (and ``Tensor.eval`` / ``Operation.run``,
which call it) is wrapped: each call the program's own files make (directly, or through
``Tensor.eval``/``Operation.run``) has its fetched values flattened and kept; at exit they
are written to OUT.npz as ``run<call>_<leaf>``. Calls Keras, Estimators or the hub library
make on their own are not kept (what they compute reaches the program's prints).

``CAPTURE_DISABLE_V2=1`` calls ``tf.compat.v1.disable_v2_behavior()`` before the program
runs: the one line TF1 programs need added by hand after ``tf_upgrade_v2``.
"""

import atexit
import os
import runpy
import sys

import numpy as np


def main():
    out, program, args = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3:]
    folder = os.path.dirname(program)
    records = []

    import tensorflow as tf
    from tensorflow.python.client import session as session_lib

    if os.environ.get("CAPTURE_DISABLE_V2") == "1":
        tf.compat.v1.disable_v2_behavior()

    stdlib = os.path.dirname(os.__file__)
    # Between the program and BaseSession.run: Session.run itself, Tensor.eval,
    # Operation.run and TensorFlow's call wrappers, nothing else (Keras's own runs, say).
    passthrough = ("/client/session.py", "/framework/ops.py", "/framework/tensor.py",
                   "/util/traceback_utils.py", "/util/dispatch.py", "/util/deprecation.py")

    def from_program():
        frame = sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if not (name.endswith(passthrough) or name.startswith(stdlib) or name == __file__):
                return os.path.abspath(name).startswith(folder + os.sep)
            frame = frame.f_back
        return False

    original = session_lib.BaseSession.run

    def run(self, fetches, *a, **k):
        result = original(self, fetches, *a, **k)
        if from_program():
            leaves = []
            for leaf in tf.nest.flatten(result):
                if leaf is None:
                    continue
                value = np.asarray(leaf)
                if value.dtype == object:
                    value = value.astype(bytes)
                leaves.append(value)
            records.append(leaves)
        return result

    session_lib.BaseSession.run = run

    def save():
        arrays = {f"run{i:04d}_{j:03d}": v for i, leaves in enumerate(records)
                  for j, v in enumerate(leaves)}
        np.savez(out, **arrays)

    atexit.register(save)
    sys.argv = [program, *args]
    sys.path.insert(0, folder)
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main()
