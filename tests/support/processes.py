"""Real processes: the ``python -m hubcompat`` CLI, and Python code in a fresh interpreter
(for process-global TF settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.support.paths import REPO


def run_cli(*args, cwd=None, env=None, timeout=300) -> subprocess.CompletedProcess:
    """Runs ``python -m hubcompat ARGS`` on this checkout; returns the finished process."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    return subprocess.run([sys.executable, "-m", "hubcompat", *map(str, args)], cwd=cwd,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def run_python(code: str, *, cwd=None, with_hubcompat: bool = True, env=None, timeout=300):
    """Runs ``code``; returns the JSON object its last stdout line holds.

    Without ``with_hubcompat`` the interpreter runs isolated (``-I``, from
    ``cwd``) with hubcompat blocked, and first asserts that ``import hubcompat`` fails.
    """
    code = textwrap.dedent(code)
    full_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    full_env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    full_env.update(env or {})
    args = [sys.executable]
    if with_hubcompat:
        full_env["PYTHONPATH"] = str(REPO)
    else:
        args.append("-I")
        code = _NO_HUBCOMPAT + code
    proc = subprocess.run(
        [*args, "-c", code], cwd=cwd, env=full_env,
        capture_output=True, text=True, timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"subprocess failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_python_as_user(code: str, *, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    """Runs ``code`` as a user's program runs: TensorFlow's C++ log lines at their
    default level (``TF_CPP_MIN_LOG_LEVEL`` unset); returns the finished process, whose
    stderr holds every line TensorFlow printed."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in {"PYTHONPATH", "TF_CPP_MIN_LOG_LEVEL"}}
    full_env["PYTHONPATH"] = str(REPO)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


# hubcompat may be pip-installed (CI installs it): block it outright, so that
# nothing the SavedModel loader does can reach it.
_NO_HUBCOMPAT = """
import sys
sys.modules["hubcompat"] = None
try:
    import hubcompat
except ImportError:
    pass
else:
    raise AssertionError("hubcompat must not be importable here")
"""
