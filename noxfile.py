"""The compatibility matrix: each cell is a nox session in its own venv.

    nox -l                                  # list the cells
    nox -s "tests(tf='2.13')"               # one cell
    nox -s legacy_reference                 # genuine tensorflow_hub 0.15 on TF 2.15
    nox -s legacy_reference -- --record     # ... and re-record the references
    nox -s lint                             # ruff, mypy, no import cycle (no TensorFlow)
    nox -s nightly                          # tomorrow's TensorFlow: tf-nightly, keras-nightly

docs/compatibility.md has the table of results; .github/workflows/matrix.yml
runs the same sessions on Python 3.10-3.13, and ``lint`` once;
.github/workflows/nightly.yml runs ``nightly`` every day.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

OLDEST, NEWEST = "2.13", "2.21"
# TF version -> (pin, Keras it imports as tf.keras by default)
TENSORFLOW = {
    "2.13": "tensorflow==2.13.*",
    "2.15": "tensorflow==2.15.*",  # the last release whose default Keras is Keras 2
    "2.16": "tensorflow==2.16.*",  # the first with Keras 3
    NEWEST: f"tensorflow=={NEWEST}.*",
}
# tf-keras (Keras 2 as a package, TF_USE_LEGACY_KERAS=1) exists from TF 2.16 on
# as the only Keras 2; before that tf.keras *is* Keras 2.
TF_KERAS = {"2.16": "tf-keras==2.16.*", NEWEST: f"tf-keras=={NEWEST}.*"}
# Python versions with wheels of each TF release (x86_64 Linux); the GitHub
# workflow runs every session on each of its Pythons, nox locally on the one it runs on.
PYTHONS = {
    "2.13": ["3.10", "3.11"],
    "2.15": ["3.10", "3.11"],
    "2.16": ["3.10", "3.11", "3.12"],
    NEWEST: ["3.10", "3.11", "3.12", "3.13"],
}
TEST_TOOLS = ["pytest>=7.4", "sybil>=9", "tf-slim>=1.1", "ruff>=0.4", "setuptools>=69,<81", "wheel"]
# Pinned to a minor release: a new one brings new rules and inferences, a change of its own.
# numpy, absl-py and pytest ship type information that hubcompat uses; TensorFlow and Keras
# have none (their names are Any for mypy), so the lint venv goes without them.
# Tomorrow's TensorFlow and Keras, newest pre-releases. hubcompat reaches into TensorFlow's
# private APIs (hubcompat/_tf_private.py): a coming break shows here first.
NIGHTLY = ["tf-nightly", "keras-nightly", "tf-keras-nightly"]
# What the nightly must keep doing: load TF1 modules and fine-tune them (eagerly and through
# KerasLayer), run the legacy API, and the private APIs _tf_private.py reaches.
NIGHTLY_TESTS = [
    "tests/test_tf_private.py", "tests/tf1/test_load_fixtures.py",
    "tests/tf1/test_losses_and_state.py", "tests/keras_layer/test_tf1_fixtures.py",
    "tests/legacy/test_legacy_api.py", "tests/legacy/test_legacy_eager.py",
]
LINT_TOOLS = ["ruff==0.17.*", "mypy==2.4.*", "numpy", "absl-py", "pytest>=7.4"]


def _install(session: nox.Session, tf: str, *extra: str) -> None:
    # One resolve, so pip cannot pick a TF that the pins below exclude.
    session.install(TENSORFLOW[tf], *TEST_TOOLS, *extra)
    # hubcompat's own dependencies (TensorFlow is not one: the pin above is the TF).
    session.install("-e", ".")
    session.run("python", "-c", "import tensorflow as tf; print('TensorFlow', tf.__version__)")


@nox.session
@nox.parametrize("tf", list(TENSORFLOW))
def tests(session: nox.Session, tf: str) -> None:
    """The whole test suite on one TensorFlow release, with its default Keras."""
    _install(session, tf, *([TF_KERAS[tf]] if tf in TF_KERAS else []))
    session.run("python", "-m", "pytest", "--heavy", *session.posargs,
                env={"TF_USE_LEGACY_KERAS": "0"})


@nox.session
@nox.parametrize("tf", list(TF_KERAS))
def tests_tf_keras(session: nox.Session, tf: str) -> None:
    """Loader and KerasLayer tests with tf-keras (Keras 2) instead of Keras 3."""
    _install(session, tf, TF_KERAS[tf])
    session.run(
        "python", "-m", "pytest", "--heavy", "tests/keras_layer", "tests/tf1/test_load_fixtures.py",
        "tests/tf1/test_reexport.py", "tests/commands/test_convert.py", *session.posargs,
        env={"TF_USE_LEGACY_KERAS": "1"},
    )


@nox.session
def hub016(session: nox.Session) -> None:
    """tensorflow_hub 0.16.1 loads what ``hubcompat convert`` writes (hub.load, hub.KerasLayer)."""
    _install(session, NEWEST, TF_KERAS[NEWEST], "tensorflow-hub==0.16.1")
    session.run(
        "python", "-m", "pytest", "--heavy", "tests/matrix/test_tensorflow_hub_016.py",
        "tests/test_genuine_parity.py::test_committed_names_are_genuine_tensorflow_hubs",
        # programs migrated with --target modern, run on tensorflow_hub 0.16.1's hub.load
        "tests/migrate/test_modern_runs.py",
        *session.posargs,
        env={"TF_USE_LEGACY_KERAS": "1", "HUBCOMPAT_MATRIX_CELL": "hub016"},
    )


@nox.session
def legacy_reference(session: nox.Session) -> None:
    """Genuine tensorflow_hub 0.15 on TF 2.15: re-exports the genuine modules and reproduces
    the legacy outputs every other cell compares against (``-- --record`` rewrites them).

    hubcompat is installed too (TF 2.15 is in its range) to write the modules that
    genuine tensorflow_hub must read back.
    """
    session.install("tensorflow-cpu==2.15.1", "tensorflow-hub==0.15.0", *TEST_TOOLS)
    # hubcompat does not depend on TensorFlow, so this keeps tensorflow-cpu the only TF.
    session.install("-e", ".")
    if "--record" in session.posargs:
        session.run("python", "tests/legacy_programs/record_references.py",
                    "--hubcompat-python", "python")
    args = [a for a in session.posargs if a != "--record"]
    session.run("python", "-m", "pytest", "--heavy", "tests/matrix/test_legacy_reference.py",
                "tests/resolvers/test_resolve_local.py::test_genuine_tensorflow_hub_reads_our_cache",
                # genuine.json, public_names.json and estimator_genuine.json against genuine
                "tests/test_genuine_parity.py::test_record_is_what_genuine_tensorflow_hub_does",
                "tests/test_genuine_parity.py::test_committed_names_are_genuine_tensorflow_hubs",
                "tests/legacy/test_estimator.py::test_record_is_what_genuine_tensorflow_hub_computes",
                # programs in the real programs' patterns: genuine hub vs hubcompat-migrate
                "tests/real_programs/test_our_programs.py",
                *args,
                env={"HUBCOMPAT_LEGACY_PYTHON": "python"})


@nox.session
def nightly(session: nox.Session) -> None:
    """tf-nightly + keras-nightly (and tf-keras-nightly): load, fine-tune, the legacy API.

    Not a matrix cell: run every day by .github/workflows/nightly.yml and reported (not
    blocking) by .ci/run. ``-- <pytest args>`` runs other tests instead.
    """
    session.install(*TEST_TOOLS)
    # --upgrade: a reused venv takes the newest nightly, not the one it was made with.
    session.install("--pre", "--upgrade", *NIGHTLY)
    session.install("-e", ".")
    session.run("python", "-c", "import tensorflow as tf, keras, tf_keras; "
                "print('TensorFlow', tf.__version__, 'Keras', keras.__version__, "
                "'tf-keras', tf_keras.__version__)", env={"TF_CPP_MIN_LOG_LEVEL": "3"})
    tests = session.posargs or NIGHTLY_TESTS
    session.run("python", "-m", "pytest", "--heavy", *tests, env={"TF_USE_LEGACY_KERAS": "0"})
    if not session.posargs:
        session.run("python", "-m", "pytest", "--heavy", "tests/keras_layer/test_tf1_fixtures.py",
                    env={"TF_USE_LEGACY_KERAS": "1"})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (with RUF100: no inert ``# noqa``), mypy, and no import cycle in hubcompat/.

    The settings (what is checked, which modules must be fully annotated) are in
    pyproject.toml's [tool.ruff] and [tool.mypy]; tests/test_import_cycles.py reads the
    import graph with ``ast``. No TensorFlow: the session takes seconds, not minutes.
    """
    session.install(*LINT_TOOLS)
    session.install("-e", ".")
    session.run("ruff", "check", ".")
    session.run("mypy")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "-q",
                "tests/test_import_cycles.py", "tests/test_lazy_names.py", *session.posargs)
