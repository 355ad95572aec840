"""The command lines' first second: refusals before TensorFlow is imported, quiet
output, --version, the console scripts, settings errors and a missing TensorFlow.

Refusals run the CLI in a child interpreter through ``runpy`` (as ``python -m``
does) and report whether ``tensorflow`` is in ``sys.modules`` afterwards.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hubcompat import _requirement

from tests.support.paths import FIXTURES, REPO

MLP_BN = str(FIXTURES / "mlp_bn")
BIN = Path(sys.executable).parent
# What TensorFlow and absl print on start-up when nobody silences them.
LOG_LINE = re.compile(r"^(?:[IWEF]\d{4} |WARNING: All log messages|WARNING:(?:absl|tensorflow):"
                      r"|.*(?:cuda|oneDNN|cpu_feature_guard|rebuild TensorFlow))", re.MULTILINE)


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUBCOMPAT_", "TF_CPP_")) and k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(REPO)
    env["HUBCOMPAT_CACHE_DIR"] = os.environ.get("HUBCOMPAT_CACHE_DIR", str(REPO / ".no-cache"))
    env.update(extra)
    return env


def run_in_process(module: str, *args: str, block_tensorflow: bool = False, **env) -> dict:
    """Runs ``python -m module args`` in a child via runpy; its exit code, stderr and
    whether TensorFlow got imported."""
    code = textwrap.dedent(f"""
        import io, json, runpy, sys
        if {block_tensorflow!r}:
            sys.modules["tensorflow"] = None  # as if TensorFlow were not installed
        sys.argv = [{module!r}, *{list(args)!r}]
        err = io.StringIO()
        sys.stderr, real = err, sys.stderr
        try:
            runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        sys.stderr = real
        print(json.dumps({{"code": code, "stderr": err.getvalue(),
                          "tensorflow": sys.modules.get("tensorflow") is not None}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], env=_env(**env), capture_output=True,
                          text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _one_error_line(result: dict) -> str:
    """The refusal: one ``error:`` line, then at most two indented lines (the next step)."""
    lines = result["stderr"].strip().splitlines()
    assert 1 <= len(lines) <= 3 and lines[0].startswith("error: "), result["stderr"]
    assert all(line.startswith("  ") for line in lines[1:]), result["stderr"]
    return "\n".join(lines)


@pytest.mark.parametrize("args, says", [
    (["inspect", "no/such/model"], "no/such/model"),
    (["inspect", str(FIXTURES)], "tf1_modules"),  # a folder that is not a model
    (["convert", MLP_BN, str(FIXTURES)], "already exists"),
    (["convert", "no/such/model", "out"], "no/such/model"),
    (["check", "no/such/model"], "no/such/model"),
    (["check", MLP_BN, "--reference", "no/such.npz"], "no/such.npz"),
    (["check", MLP_BN, "--record", str(FIXTURES / "mlp_bn.reference.npz")], "already exists"),
    (["check", MLP_BN, "--reference", str(FIXTURES / "mlp_bn.reference.npz")],
     "in another format"),
])
def test_refusals_come_before_tensorflow_is_imported(args, says):
    result = run_in_process("hubcompat", *args)
    assert result["code"] == 2
    assert says in _one_error_line(result)
    assert result["tensorflow"] is False


def test_version_and_help_do_not_import_tensorflow():
    for module in ("hubcompat", "hubcompat.migrate"):
        result = run_in_process(module, "--version")
        assert result["code"] == 0 and result["tensorflow"] is False
    from hubcompat import __version__

    proc = subprocess.run([sys.executable, "-m", "hubcompat", "--version"], env=_env(),
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == f"hubcompat {__version__}"


@pytest.mark.parametrize("setting, value", [
    ("HUBCOMPAT_DOWNLOAD_TIMEOUT", "abc"),
    ("HUBCOMPAT_DOWNLOAD_RETRIES", "two"),
    ("HUBCOMPAT_MAX_ARCHIVE_BYTES", "1e9x"),
])
def test_a_bad_setting_exits_2_with_one_line(setting, value):
    result = run_in_process("hubcompat", "inspect", MLP_BN, **{setting: value})
    assert result["code"] == 2
    line = _one_error_line(result)
    assert setting in line and repr(value) in line
    assert result["tensorflow"] is False


def test_a_bad_setting_is_a_config_error_with_its_name_and_value(monkeypatch):
    from hubcompat import config, errors

    monkeypatch.setenv("HUBCOMPAT_DOWNLOAD_TIMEOUT", "abc")
    with pytest.raises(errors.ConfigError) as e:
        config.download_timeout()
    assert isinstance(e.value, ValueError)
    assert (e.value.name, e.value.value) == ("HUBCOMPAT_DOWNLOAD_TIMEOUT", "abc")
    with pytest.raises(errors.ConfigError):
        config.check()


def test_without_tensorflow_the_model_tools_say_how_to_install_it():
    result = run_in_process("hubcompat", "inspect", MLP_BN, block_tensorflow=True)
    assert result["code"] == 2
    line = _one_error_line(result)
    assert "needs TensorFlow" in line and "hubcompat[tf]" in line and "tensorflow-cpu" in line
    code = f"""
        import sys, json
        sys.modules["tensorflow"] = None
        import hubcompat
        from hubcompat import errors
        try:
            hubcompat.load({MLP_BN!r})
        except errors.TensorFlowMissingError as e:
            print(json.dumps({{"import_error": isinstance(e, ImportError), "name": e.name,
                              "feature": e.feature, "message": str(e)}}))
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=_env(),
                          capture_output=True, text=True, check=True)
    got = json.loads(proc.stdout)
    assert got["import_error"] and got["name"] == "tensorflow"
    assert got["feature"] == f"hubcompat.load({MLP_BN!r})"
    # the install command for the hubcompat running (here: the checkout, installed editable)
    assert _requirement.pip_install("tf") in got["message"]


def test_the_migrate_tool_runs_without_tensorflow(tmp_path):
    source = tmp_path / "a.py"
    source.write_text("import tensorflow_hub as hub\n")
    result = run_in_process("hubcompat.migrate", "--no-progress", str(source),
                            block_tensorflow=True)
    assert result["code"] == 0, result["stderr"]
    assert source.read_text() == "import hubcompat as hub\n"


@pytest.mark.heavy
def test_output_is_quiet_unless_verbose(tmp_path):
    env = _env()  # no TF_CPP_MIN_LOG_LEVEL: what a user gets
    proc = subprocess.run([sys.executable, "-m", "hubcompat", "inspect", MLP_BN], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("handle:")
    assert not LOG_LINE.search(proc.stdout)
    record = tmp_path / "ref.npz"
    proc = subprocess.run([sys.executable, "-m", "hubcompat", "check", MLP_BN, "--skip",
                           "keras,reexport,training", "--record", str(record)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
    assert all(line.startswith(("PASS", "SKIP")) for line in proc.stdout.splitlines())


@pytest.mark.heavy
def test_inspect_prints_a_table_and_json():
    env = _env()
    text = subprocess.run([sys.executable, "-m", "hubcompat", "inspect", MLP_BN], env=env,
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r"^    input x: +float32 \[\?, 4\]$", text, re.MULTILINE), text
    assert re.search(r"^tag sets: +set\(\), \{\"train\"\}$", text, re.MULTILINE), text
    info = json.loads(subprocess.run(
        [sys.executable, "-m", "hubcompat", "inspect", MLP_BN, "--json"], env=env,
        capture_output=True, text=True, check=True).stdout)
    assert info["signatures"]["default"]["inputs"]["x"] == {
        "dtype": "float32", "shape": [None, 4], "sparse": False}


@pytest.mark.parametrize("script", ["hubcompat", "hubcompat-migrate"])
def test_console_scripts_are_installed(script):
    path = BIN / (script + (".exe" if os.name == "nt" else ""))
    if not path.exists():
        pytest.skip(f"hubcompat is not pip-installed into {BIN} (run from a source tree)")
    proc = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True)
    assert proc.stdout.startswith(f"{script} ")
