"""The legacy programs, the module folders each one runs on, and how to run them.

Shared by record_references.py (genuine tensorflow_hub 0.15 on TF 2.15) and
tests/legacy/test_legacy_programs.py (hubcompat on the installed TF). Standard
library only: the side venv imports it too.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
REFERENCES = os.path.join(HERE, "references")
MODULES = os.path.join(REPO, "fixtures", "legacy_programs_modules")
GENUINE = os.environ.get("HUBCOMPAT_GENUINE_TF1", os.path.join(os.path.dirname(REPO), "shared", "genuine_tf1"))

GENUINE_IMPORT = "import tensorflow_hub as hub"
HUBCOMPAT_IMPORT = "import hubcompat as hub"


GENUINE_EXPORT = os.path.join(MODULES, "exported_by_genuine")


def module(name):
    return os.path.join(MODULES, name)


def genuine(name):
    return os.path.join(GENUINE, name)


def missing_genuine(args) -> bool:
    """True when some argument is a genuine module that is not there (no ../shared)."""
    return any(str(a).startswith(GENUINE) and not os.path.exists(a) for a in args)


# program -> arguments (module folders); "{exported}" is filled in by the runner.
PROGRAMS = {
    "text_embedding": [genuine("text_embed")],
    "elmo_tokens": [module("elmo_tokens")],
    "image_module": [module("image_module")],
    "fine_tuning": [module("finetune_mlp"), genuine("mlp_bn")],
    "inspect_spec": [genuine("mlp_bn"), genuine("text_embed"), module("image_module"),
                     module("elmo_tokens"), module("ref_variables")],
    "ref_variables": [module("ref_variables")],
    "export_module": ["{exported}"],
    "eval_function": [genuine("mlp_bn"), module("image_module")],
    "feature_columns": [genuine("text_embed"), module("image_module")],
}
# use_exported runs on the module written by the *other* library's
# export_module.py (genuine reads ours, hubcompat reads genuine's).
CROSS_PROGRAM = "use_exported"


def source(program, hub_import):
    with open(os.path.join(HERE, program + ".py"), encoding="utf-8") as f:
        text = f.read()
    if GENUINE_IMPORT not in text:
        raise ValueError(f"{program}.py has no line {GENUINE_IMPORT!r}")
    return text.replace(GENUINE_IMPORT, hub_import)


def run(python, program, args, hub_import=GENUINE_IMPORT, extra_env=None):
    """Runs one program (its import line set to ``hub_import``); returns stdout."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0",
               CUDA_VISIBLE_DEVICES="")
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra_env or {})
    result = subprocess.run(
        [python, "-c", source(program, hub_import), *args],
        capture_output=True, text=True, env=env, cwd=HERE, timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{program} failed with {python}:\n{result.stdout}\n{result.stderr[-6000:]}")
    return result.stdout


def reference_path(program):
    return os.path.join(REFERENCES, program + ".txt")


if __name__ == "__main__":
    print(sys.executable)
