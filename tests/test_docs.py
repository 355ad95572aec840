"""Every code block of README.md and docs/*.md runs, so a documented example cannot rot.

Blocks are found by sybil's Markdown parsers; each block is one test, named
``README.md:LINE``. A document's blocks run in order in one workspace: a
temporary copy of the repository's files (examples use the bundled fixtures
by their repository paths, e.g. ``fixtures/tf1_modules/mlp_bn``) with a
``.venv`` link to this Python's environment; nothing reaches the network
(``HUBCOMPAT_OFFLINE=1``, an empty cache). Blocks run as a user pastes them after
the README's install (issue 21):

- ``python``: run in-process, in the workspace. A document's python blocks share
  one namespace, as one interpreter session would, but each block gets no module
  from the blocks before it: a block imports what it uses (``import tensorflow as
  tf``, ``import hubcompat``, ...), so it also runs pasted on its own.
- ``bash``: run with ``bash -euo pipefail`` in the workspace; exit status 0. The
  README's install creates ``.venv`` and never activates it: commands name
  ``.venv/bin/python``, ``.venv/bin/hubcompat-migrate``, ... (the venv's ``bin`` is
  not on ``PATH`` here).
- ``console``: each ``$ command`` runs like a bash block; it must exit 0, or
  non-zero when the output shown under it starts with ``error:``.
- ``toml`` / ``yaml`` / ``json``: parsed.
- ``text``: output, synopses, layouts; not run.

A block that cannot run here (it needs the network or a model that is not
bundled, or it *is* the install or the test command, which .ci/run runs on a
clean clone) has ``<!-- skip: next "the reason" -->`` above it.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
import unittest
from pathlib import Path

import pytest

from tests.support.paths import REPO

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

sybil = pytest.importorskip("sybil")
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser  # noqa: E402

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUN_LANGUAGES = {"python", "bash", "console"}
PARSE_LANGUAGES = {"toml", "yaml", "json"}
TEXT_LANGUAGES = {"text"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>[^\n`]*)$", re.MULTILINE)
SHELL_TIMEOUT = 600


# --- evaluators ----------------------------------------------------------------------------


def _workspace(namespace: dict) -> Path:
    return namespace["__workspace__"]


def _shell_env(workspace: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBCOMPAT_")}
    # As after the README's install: the venv is not activated, its bin/ not on PATH.
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and os.path.realpath(p) != os.path.realpath(venv_bin))
    env.pop("VIRTUAL_ENV", None)
    env["PYTHONPATH"] = str(REPO)  # the source tree under test, installed or not
    env["HUBCOMPAT_CACHE_DIR"] = str(workspace / ".cache")
    env["HUBCOMPAT_OFFLINE"] = "1"  # a documented example must not need the network
    return env


def _run_shell(command: str, workspace: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=workspace,
                          env=_shell_env(workspace), capture_output=True, text=True,
                          timeout=SHELL_TIMEOUT)


def evaluate_bash(example) -> None:
    proc = _run_shell(example.parsed, _workspace(example.namespace))
    if proc.returncode != 0:
        raise AssertionError(f"exit status {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}"
                             f"\n--- stderr\n{proc.stderr[-3000:]}")


def console_commands(text: str) -> list[tuple[str, list[str]]]:
    """``$ command`` lines (with ``\\`` continuations) and the output lines shown under each."""
    commands: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1] + " " + lines[i].strip()
            commands.append((command, []))
        elif commands:
            commands[-1][1].append(line)
        i += 1
    return commands


def evaluate_console(example) -> None:
    commands = console_commands(example.parsed)
    assert commands, "a console block needs at least one '$ command' line"
    for command, shown in commands:
        proc = _run_shell(command, _workspace(example.namespace))
        expect_error = bool(shown) and shown[0].startswith("error:")
        report = (f"$ {command}\nexit status {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}"
                  f"\n--- stderr\n{proc.stderr[-3000:]}")
        if expect_error:
            assert proc.returncode != 0, report
            assert proc.stderr.startswith("error: "), report
        else:
            assert proc.returncode == 0, report


def evaluate_data(example) -> None:
    language = example.region.lexemes["arguments"]
    text = example.parsed
    if language == "toml":
        tomllib.loads(text)
    elif language == "json":
        json.loads(text)
    else:
        yaml = pytest.importorskip("yaml")
        yaml.safe_load(text)


SYBIL = sybil.Sybil(parsers=[
    SkipParser(),
    PythonCodeBlockParser(),
    CodeBlockParser(language="bash", evaluator=evaluate_bash),
    CodeBlockParser(language="console", evaluator=evaluate_console),
    *(CodeBlockParser(language=lang, evaluator=evaluate_data) for lang in PARSE_LANGUAGES),
])


# --- one test per block, each document in order ------------------------------------------


class _DocumentRun:
    """A parsed document, its workspace and how far its examples have run."""

    def __init__(self, path: Path):
        self.path = path
        self.document = SYBIL.parse(path)
        self.examples = list(self.document)
        self.done = 0
        self.workspace: Path | None = None

    def prepare(self) -> None:
        if self.workspace is not None:
            return
        self.workspace = Path(tempfile.mkdtemp(prefix="hubcompat-docs-")) / "hubcompat"
        shutil.copytree(REPO, self.workspace, symlinks=True, ignore=shutil.ignore_patterns(
            ".git", ".venv", ".nox", "__pycache__", "*.egg-info", ".pytest_cache", "build"))
        (self.workspace / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        self.document.namespace["__workspace__"] = self.workspace

    def run_until(self, index: int) -> None:
        """Runs the examples before ``index`` that have not run yet (skip markers, or blocks
        deselected with -k), then example ``index``."""
        self.prepare()
        while self.done <= index:
            example, self.done = self.examples[self.done], self.done + 1
            if _language(example) == "python":
                _forget_modules(example.namespace)
            with _cwd(self.workspace):
                try:
                    example.evaluate()
                except unittest.SkipTest as e:
                    if self.done - 1 == index:
                        pytest.skip(f"{_where(example)}: {e}")
                except Exception:
                    if self.done - 1 == index:
                        raise

    def close(self) -> None:
        if self.workspace is not None:
            shutil.rmtree(self.workspace.parent, ignore_errors=True)


@contextlib.contextmanager
def _cwd(path: Path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _language(example) -> str | None:
    return example.region.lexemes.get("arguments") if example.region.lexemes else None


def _forget_modules(namespace: dict) -> None:
    """Drops the modules earlier blocks imported: each block must import its own."""
    for name in [n for n, value in namespace.items()
                 if isinstance(value, types.ModuleType) and not n.startswith("__")]:
        del namespace[name]


def _where(example) -> str:
    return f"{Path(example.path).relative_to(REPO)}:{example.line}"


def _is_block(example) -> bool:
    return example.region.evaluator is not None and "skip" not in type(
        example.region.evaluator).__name__.lower()


_RUNS = {path: _DocumentRun(path) for path in DOCS}
_BLOCKS = [(path, i) for path, run in _RUNS.items()
           for i, example in enumerate(run.examples) if _is_block(example)]


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    for run in _RUNS.values():
        run.close()
    from hubcompat import resolvers

    resolvers.reset()  # docs/handles-and-caching.md registers its own resolvers


@pytest.mark.parametrize("path, index", _BLOCKS,
                         ids=[_where(_RUNS[p].examples[i]) for p, i in _BLOCKS])
def test_documented_example_runs(path, index, monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("HUBCOMPAT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
    monkeypatch.setenv("HUBCOMPAT_CACHE_DIR", str(tmp_path / "cache"))
    _RUNS[path].run_until(index)


# --- every block is collected ----------------------------------------------------------------


def fenced_blocks(text: str) -> list[tuple[int, str]]:
    """(line, language) of every fenced block in a Markdown text."""
    blocks, open_fence = [], None
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if open_fence is None:
            open_fence = match.group("fence")
            blocks.append((line, match.group("info").strip().split(" ")[0]))
        elif match.group("fence").startswith(open_fence) and not match.group("info").strip():
            open_fence = None
    return blocks


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(REPO)) for p in DOCS])
def test_every_block_has_a_language_the_suite_knows(path):
    """A block without a language would be neither run nor checked: say ``text`` for output."""
    known = RUN_LANGUAGES | PARSE_LANGUAGES | TEXT_LANGUAGES
    unknown = [(line, lang) for line, lang in fenced_blocks(path.read_text()) if lang not in known]
    assert not unknown, (f"{path.name}: blocks at lines {unknown} need one of "
                         f"{sorted(known)} (text: not run)")
    collected = {_RUNS[path].examples[i].line for p, i in _BLOCKS if p == path}
    runnable = {line for line, lang in fenced_blocks(path.read_text())
                if lang in RUN_LANGUAGES | PARSE_LANGUAGES}
    assert runnable <= collected, f"{path.name}: blocks at {sorted(runnable - collected)} missed"


def _sources(path: Path, languages: set[str]) -> list[tuple[int, str, str]]:
    """(line, language, source) of every code block of ``path`` in ``languages``, skipped
    ones included."""
    return [(example.line, _language(example), example.region.lexemes["source"])
            for example in _RUNS[path].examples
            if example.region.lexemes and _language(example) in languages]


PRIVATE_MODULE = re.compile(r"\bhubcompat(?:\.[a-z]\w*)*\._\w+")
# Modules blocks use by these names; a block that uses one imports it (issue 21:
# keras-layer.md's "Re-exporting" used hubcompat, keras, np and os, imported none).
MODULE_NAMES = {"hubcompat", "hub", "tf", "np", "keras", "os", "json"}


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(REPO)) for p in DOCS])
def test_blocks_use_only_public_modules(path):
    """Users copy what the docs show: no ``hubcompat._private`` module, in any block."""
    hits = [f"{path.name}:{line}: {m.group(0)}"
            for line, _, source in _sources(path, RUN_LANGUAGES)
            for m in PRIVATE_MODULE.finditer(source)]
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(REPO)) for p in DOCS])
def test_python_blocks_import_the_modules_they_use(path):
    """Also the blocks that are skipped: pasted on its own, a block must not NameError."""
    blocks = []
    for line, _, source in _sources(path, {"python"}):
        tree = ast.parse(source)
        imported = {(alias.asname or alias.name).split(".")[0]
                    for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in node.names}
        assigned = {node.id for node in ast.walk(tree)
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
        used = {node.id for node in ast.walk(tree)
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        blocks.append((line, imported, assigned, used))
    modules = MODULE_NAMES.union(*(imported for _, imported, _, _ in blocks))
    missing = [f"{path.name}:{line}: {name}" for line, imported, assigned, used in blocks
               for name in sorted(used & modules - imported - assigned)]
    assert not missing, "modules used but not imported in the block:\n" + "\n".join(missing)


def test_no_machine_paths_in_tracked_files():
    """A clone has none of the developer's folders: tracked files must not name them."""
    try:
        files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                               check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    pattern = re.compile(r"(?<![\w.])/(?:work|home|root|Users)/[\w.-]+")
    hits = []
    for name in filter(None, files):
        path = REPO / name
        if path.suffix in {".pb", ".npz", ".gz", ".index", ".ipynb"} or "-0000" in path.name \
                or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        hits += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
                 for m in pattern.finditer(text)]
    assert not hits, "\n".join(hits)
