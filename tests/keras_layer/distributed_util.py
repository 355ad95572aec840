"""Child processes for the tf.distribute tests: one process, or a cluster on 127.0.0.1.

Logical devices and TF_CONFIG must be set before TensorFlow initializes, which
the test process has long done, so every case runs in fresh interpreters.
Children inherit TF_USE_LEGACY_KERAS, so they use the same Keras as this run.
Each child prints one JSON object as its last stdout line.
"""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import textwrap
import time

from tests.support.paths import REPO as ROOT

TESTS = ROOT / "tests"

# Set TF_CONFIG / devices first, then import TensorFlow. ``LOGICAL_CPUS`` is
# replaced by the number of logical CPU devices the child gets.
PRELUDE = """
import json, os, sys
import numpy as np
import tensorflow as tf
_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(_cpu, [tf.config.LogicalDeviceConfiguration()] * LOGICAL_CPUS)
import hubcompat
from hubcompat._keras import keras_module
keras = keras_module()
KERAS3 = int(keras.__version__.split(".")[0]) >= 3

def emit(**result):
    print(json.dumps(result), flush=True)

def copies(variable):
    # Each replica's copy of a tf.Variable (one for a plain variable), as lists.
    if isinstance(variable, tf.distribute.DistributedValues):
        return [np.asarray(v.numpy()).tolist() for v in variable.values]
    return [np.asarray(variable.numpy()).tolist()]

def module_variables(layer):
    return {v.name.split(":")[0]: v for v in layer.resolved_object.variables}
"""

CHILD_TIMEOUT = 240  # seconds, per process


def _env(extra=None) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)]),
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    env.pop("TF_CONFIG", None)
    env.update(extra or {})
    return env


def _script(tmp_path, name: str, body: str, logical_cpus: int) -> pathlib.Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    script = tmp_path / f"{name}.py"
    script.write_text(PRELUDE.replace("LOGICAL_CPUS", str(logical_cpus)) + textwrap.dedent(body))
    return script


def _last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def run_child(tmp_path, body: str, *args, logical_cpus: int = 2):
    """Runs ``body`` in one fresh process; returns its JSON result."""
    script = _script(tmp_path, "child", body, logical_cpus)
    proc = subprocess.run([sys.executable, str(script), *map(str, args)], env=_env(),
                          capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return _last_json(proc.stdout)


def free_ports(count: int) -> list[int]:
    """Ports on 127.0.0.1 free right now (bound to port 0 together, then released)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def run_cluster(tmp_path, body: str, tasks: dict, *args, logical_cpus: int = 1,
                timeout: float = CHILD_TIMEOUT, wait_for=None):
    """Starts one process per task of ``tasks`` (job name -> count), each with its TF_CONFIG.

    Returns ``{(job, index): result}`` for the tasks in ``wait_for`` (default:
    every task); the others (parameter servers, which never exit) are killed
    once those are done. Every process is killed on the way out, whatever happens.
    """
    ports = iter(free_ports(sum(tasks.values())))
    cluster = {job: [f"127.0.0.1:{next(ports)}" for _ in range(n)] for job, n in tasks.items()}
    script = _script(tmp_path, "task", body, logical_cpus)
    wait_for = wait_for or [(job, i) for job, n in tasks.items() for i in range(n)]
    procs = {}
    logs = {}
    try:
        for job, n in tasks.items():
            for index in range(n):
                config = {"cluster": cluster, "task": {"type": job, "index": index}}
                out = open(tmp_path / f"{job}{index}.out", "w+")
                err = open(tmp_path / f"{job}{index}.err", "w+")
                logs[(job, index)] = (out, err)
                procs[(job, index)] = subprocess.Popen(
                    [sys.executable, str(script), *map(str, args)],
                    env=_env({"TF_CONFIG": json.dumps(config)}),
                    stdout=out, stderr=err, text=True)
        deadline = time.monotonic() + timeout
        results = {}
        for key in wait_for:
            remaining = max(1.0, deadline - time.monotonic())
            try:
                code = procs[key].wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"{key} did not finish in {timeout} s:\n"
                                     + _tail(logs[key][1])) from None
            assert code == 0, f"{key} exited with {code}:\n" + _tail(logs[key][1])
            results[key] = _last_json(_read(logs[key][0]))
        return results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for out, err in logs.values():
            out.close()
            err.close()


def _read(handle) -> str:
    handle.flush()
    handle.seek(0)
    return handle.read()


def _tail(handle) -> str:
    return _read(handle)[-4000:]
