"""Dependency declarations: ``tensorflow-hub`` requirements -> ``hubcompat``.

Why: after the code moves to ``import hubcompat`` (both targets), a pinned
``tensorflow-hub==0.x`` is at best dead weight and at worst pulls an old
TensorFlow in. Requirements are read with ``packaging`` (PEP 508: any name
spelling, extras, markers, URLs); only the requirement's own text changes,
every other byte of the file stays:

- ``requirements*.txt`` (also ``-r``-style trees of them),
- ``setup.cfg`` ``install_requires`` / ``setup_requires`` / ``tests_require``
  / ``[options.extras_require]``,
- ``pyproject.toml``: PEP 621 ``dependencies`` / ``optional-dependencies``,
  and poetry's ``tool.poetry[.group.*].dependencies`` string entries,
- notebook ``!pip install`` / ``%pip install`` lines (from ``notebooks``),
- ``setup.py`` string literals (the ``dependencies`` codemod, which uses
  :func:`rewrite_requirement`).

``tensorflow-hub`` becomes the requirement that installs the running hubcompat
(``hubcompat._requirement``): ``hubcompat @ git+https://...@<commit>`` or
``hubcompat @ file:///...`` when it was installed from a URL or a folder, else
(installed from an index) ``hubcompat==<this version>`` for a ``==`` pin and a
bare ``hubcompat`` for any other specifier; ``--requirement`` sets it. Markers
are kept. What cannot be rewritten
safely is left as it is with a report entry: URL requirements, extras
(hubcompat has none of tensorflow-hub's), hash-checked lines, poetry tables,
and TensorFlow pins that exclude the TensorFlow 2.13+ hubcompat needs.
"""

from __future__ import annotations

import configparser
import functools
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HUB = "tensorflow-hub"
TENSORFLOWS = frozenset({"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly"})
#: TensorFlow releases hubcompat runs on (a pin must allow one of them).
SUPPORTED_TF = ("2.13.0", "2.14.0", "2.15.0", "2.16.1", "2.17.0", "2.18.0", "2.19.0",
                "2.20.0", "2.21.0")  # fmt: skip
#: Cheap test before reading a file: can it declare tensorflow-hub at all?
MENTIONS_HUB = re.compile(rb"(?i)tensorflow[-_.]hub")


def is_dependency_file(path: str | os.PathLike[str]) -> bool:
    name = os.path.basename(path)
    return (
        name in ("setup.cfg", "pyproject.toml")
        or (name.startswith("requirements") and name.endswith((".txt", ".in")))
        or (os.path.basename(os.path.dirname(path)) == "requirements" and name.endswith(".txt"))
    )


def _version() -> str:
    from hubcompat import __version__

    return __version__


def _target(exact: bool) -> str:
    """What a tensorflow-hub requirement becomes (markers aside)."""
    from hubcompat import _requirement

    chosen = _requirement.requirement()
    if chosen != _requirement.installed() or "@" in chosen:
        return chosen  # a URL, or what the user asked for
    return chosen if exact else _requirement.NAME


def _poetry_value() -> tuple[str, Any]:
    """The poetry dependency value for hubcompat: its TOML text and its parsed value."""
    from hubcompat import _requirement

    chosen = _requirement.requirement()
    req = Requirement(chosen)
    if not req.url:
        default = chosen == _requirement.installed()  # from an index: this version or newer
        spec = f">={_version()}" if default or not req.specifier else str(req.specifier)
        return json.dumps(spec), spec
    url, _, fragment = req.url.partition("#")
    value: dict[str, str] = {}
    scheme = url.split(":", 1)[0]
    if scheme.startswith("git+"):
        url = url[4:]
        head, at, rev = url.rpartition("@")
        if at and "/" not in rev and head.count("/") > 2:
            url = head
            value["rev"] = rev
        value = {"git": url, **value}
        if fragment.startswith("subdirectory="):
            value["subdirectory"] = fragment.split("=", 1)[1]
    elif scheme == "file":
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        value = {"path": url2pathname(urlparse(url).path)}
    else:
        value = {"url": req.url}
    text = "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + " }"
    return text, value


@dataclass
class Rewrite:
    """A rewritten text, with one report message per change and per problem left."""

    text: str
    changes: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    todos: list[tuple[int, str]] = field(default_factory=list)


def rewrite_requirement(spec: str) -> tuple[str, str | None, str | None]:
    """``spec`` rewritten, plus a change message or a TODO message (else None).

    ``spec`` is one PEP 508 requirement; surrounding whitespace is kept.
    TensorFlow pins outside the supported range give a TODO (the caller keeps
    it only where tensorflow-hub is declared too).
    """
    body = spec.strip()
    try:
        req = Requirement(body)
    except InvalidRequirement:
        return spec, None, None
    name = canonicalize_name(req.name)
    if name in TENSORFLOWS:
        if req.specifier and not any(
            req.specifier.contains(v, prereleases=True) for v in SUPPORTED_TF
        ):
            return (
                spec,
                None,
                (
                    f"{body!r} excludes TensorFlow 2.13+, which hubcompat needs: update this pin by hand"
                ),
            )
        return spec, None, None
    if name != HUB:
        return spec, None, None
    if req.url:
        return spec, None, f"{body!r}: tensorflow-hub from a URL; replace it with hubcompat by hand"
    if req.extras:
        return (
            spec,
            None,
            (
                f"{body!r}: hubcompat has no tensorflow-hub extras; replace it with hubcompat "
                "and the extra packages by hand"
            ),
        )
    exact = any(s.operator in ("==", "===") and "*" not in s.version for s in req.specifier)
    new = _target(exact)
    marker = body.find(";")
    if marker != -1:
        head = body[:marker]
        space = head[len(head.rstrip()) :]
        if "@" in new and not space:
            space = " "  # PEP 508: a URL ends at whitespace, not at ";"
        new += space + body[marker:]
    lead = spec[: len(spec) - len(spec.lstrip())]
    tail = spec[len(spec.rstrip()) :]
    return lead + new + tail, f"{body} -> {new.split(';')[0].strip()}", None


class _Collector:
    def __init__(self) -> None:
        self.changes: list[tuple[int, str]] = []
        self.todos: list[tuple[int, str]] = []
        self.tf_todos: list[tuple[int, str]] = []
        self.declares_hub = False

    def apply(self, spec: str, line: int) -> str:
        new, change, todo = rewrite_requirement(spec)
        if change:
            self.declares_hub = True
            self.changes.append((line, change))
        if todo:
            if "TensorFlow 2.13+" in todo:
                self.tf_todos.append((line, todo))
            else:
                self.declares_hub = True
                self.todos.append((line, todo))
        return new

    def result(self, text: str) -> Rewrite:
        todos = self.todos + (self.tf_todos if self.declares_hub else [])
        return Rewrite(text, self.changes, sorted(todos))


# -- requirements*.txt --------------------------------------------------------

_COMMENT = re.compile(r"(^|\s)#.*$")


def rewrite_requirements_txt(text: str) -> Rewrite:
    collector = _Collector()
    lines = text.splitlines(keepends=True)
    out = []
    for number, line in enumerate(lines, 1):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        code = _COMMENT.sub("", body)
        stripped = code.strip()
        if not stripped or stripped.startswith("-") and not MENTIONS_HUB.search(stripped.encode()):
            out.append(line)
            continue
        if stripped.startswith("-") or code.rstrip().endswith("\\") or "--hash" in code:
            if MENTIONS_HUB.search(code.encode()):
                collector.declares_hub = True
                collector.todos.append(
                    (number, f"{stripped!r}: an editable, hash-checked or continued "
                     "tensorflow-hub line; replace it with hubcompat by hand")
                )  # fmt: skip
            out.append(line)
            continue
        new = collector.apply(code, number)
        out.append(new + body[len(code) :] + ending)
    return collector.result("".join(out))


# -- setup.cfg -----------------------------------------------------------------

_CFG_KEYS = ("install_requires", "setup_requires", "tests_require")


def rewrite_setup_cfg(text: str) -> Rewrite:
    collector = _Collector()
    section, in_value = "", False
    out = []
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        stripped = body.strip()
        header = re.match(r"\s*\[([^\]]+)\]", body)
        if header and not body[:1].isspace():
            section, in_value = header.group(1).strip(), False
            out.append(line)
            continue
        requirement_text = None
        if body[:1].isspace() and in_value:
            requirement_text = body
        elif not body[:1].isspace() and ("=" in body or ":" in body):
            key, _, value = re.split(r"([=:])", body, maxsplit=1)
            key = key.strip()
            in_value = (section == "options" and key in _CFG_KEYS) or (
                section == "options.extras_require"
            )
            if in_value and value.strip():
                prefix = body[: len(body) - len(value)]
                code = re.sub(r"\s[#;].*$", "", value)
                out.append(prefix + collector.apply(code, number) + value[len(code) :] + ending)
                continue
        elif not stripped:
            pass
        else:
            in_value = False
        if requirement_text is not None and stripped and not stripped.startswith(("#", ";")):
            code = re.sub(r"\s[#;].*$", "", requirement_text)
            new = collector.apply(code, number)
            out.append(new + requirement_text[len(code) :] + ending)
            continue
        out.append(line)
    new_text = "".join(out)
    if new_text != text:
        _check_cfg(text, new_text, collector)
    return collector.result(new_text)


def _check_cfg(old: str, new: str, collector: _Collector) -> None:
    """The rewrite changed requirement values only (else keep the file, report it)."""

    def read(text: str) -> dict[str, dict[str, str]]:
        parser = configparser.RawConfigParser()
        parser.read_string(text)
        return {s: dict(parser[s]) for s in parser.sections()}

    try:
        before, after = read(old), read(new)
    except configparser.Error:
        return
    if before.keys() != after.keys() or any(before[s].keys() != after[s].keys() for s in before):
        raise ValueError("setup.cfg: the requirement rewrite changed the file's structure")


# -- pyproject.toml ------------------------------------------------------------

_TOML_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
_POETRY_TABLE = re.compile(r"^\[tool\.poetry(?:\.group\.[\w.-]+)?\.(?:dev-)?dependencies\]\s*$")


def rewrite_pyproject(text: str) -> Rewrite:
    collector = _Collector()
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return Rewrite(text)
    wanted = _pep621_requirements(before)
    out, table = [], ""
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped.split("#")[0].strip()
        if _POETRY_TABLE.match(table) and not stripped.startswith("["):
            line = _poetry_line(line, number, collector)
        elif wanted and table in ("[project]", "[project.optional-dependencies]"):
            line = _TOML_STRING.sub(
                functools.partial(
                    _toml_requirement, line=number, collector=collector, wanted=wanted
                ),
                line,
            )
        out.append(line)
    new_text = "".join(out)
    if new_text != text:
        after = tomllib.loads(new_text)
        expected = _expected(before)
        pep621 = [rewrite_requirement(r)[0] if r in wanted else r for r in _pep621_all(before)]
        if (
            _without_dependencies(after) != _without_dependencies(before)
            or _pep621_all(after) != pep621
            or _poetry(after) != expected
        ):
            return Rewrite(text, [], [(0, "pyproject.toml: tensorflow-hub could not be rewritten "
                                       "safely; replace it with hubcompat by hand")])  # fmt: skip
    return collector.result(new_text)


def _toml_requirement(
    match: re.Match[str], line: int, collector: _Collector, wanted: list[str]
) -> str:
    literal = match.group(0)
    value = json.loads(literal) if literal[0] == '"' else literal[1:-1]
    if value not in wanted:
        return literal
    new = collector.apply(value, line)
    if new == value:
        return literal
    return json.dumps(new) if literal[0] == '"' else f"'{new}'"


def _poetry_line(line: str, number: int, collector: _Collector) -> str:
    match = re.match(r"^(\s*)([\w.-]+)(\s*=\s*)(.*?)(\s*(?:#.*)?[\r\n]*)$", line)
    if not match or canonicalize_name(match.group(2)) not in ({HUB} | TENSORFLOWS):
        return line
    name, value = canonicalize_name(match.group(2)), match.group(4)
    if name in TENSORFLOWS:
        if value[:1] in "\"'":
            version = value[1:-1].lstrip("^~=")
            if re.match(r"^1\.|^2\.(\d|1[0-2])(\.|$)", version):
                collector.tf_todos.append(
                    (number, f"poetry {match.group(2)} = {value} excludes TensorFlow 2.13+, "
                     "which hubcompat needs: update this pin by hand")
                )  # fmt: skip
        return line
    collector.declares_hub = True
    if value[:1] not in "\"'":
        collector.todos.append(
            (number, f"poetry {match.group(2)} = {value}: replace it with hubcompat by hand")
        )
        return line
    quote = value[0]
    collector.changes.append((number, f"poetry {match.group(2)} = {value} -> hubcompat"))
    text, _ = _poetry_value()
    if text.startswith('"') and quote == "'":
        text = f"'{json.loads(text)}'"
    return f"{match.group(1)}hubcompat{match.group(3)}{text}{match.group(5)}"


def _pep621_all(data: dict[str, Any]) -> list[Any]:
    project = data.get("project", {})
    found = list(project.get("dependencies", []))
    for values in project.get("optional-dependencies", {}).values():
        found += values
    return found


def _pep621_requirements(data: dict[str, Any]) -> list[str]:
    return [r for r in _pep621_all(data) if isinstance(r, str) and _names_hub_or_tf(r)]


def _names_hub_or_tf(spec: str) -> bool:
    try:
        return canonicalize_name(Requirement(spec).name) in ({HUB} | TENSORFLOWS)
    except InvalidRequirement:
        return False


def _without_dependencies(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data, default=str))
    project = data.get("project", {})
    project.pop("dependencies", None)
    project.pop("optional-dependencies", None)
    poetry = data.get("tool", {}).get("poetry", {})
    poetry.pop("dependencies", None)
    poetry.pop("dev-dependencies", None)
    for group in poetry.get("group", {}).values():
        group.pop("dependencies", None)
    return data


def _poetry(data: dict[str, Any]) -> list[dict[str, Any]]:
    poetry = data.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [g.get("dependencies", {}) for g in poetry.get("group", {}).values()]
    return [{canonicalize_name(k): v for k, v in t.items()} for t in tables]


def _expected(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for table in _poetry(data):
        if isinstance(table.get(HUB), str):
            table = {k: v for k, v in table.items() if k != HUB}
            table["hubcompat"] = _poetry_value()[1]
        out.append(table)
    return out


# -- notebook pip lines ----------------------------------------------------------

_PIP = re.compile(
    r"^(?P<head>\s*[!%]\s*(?:(?:python3?|\S*python\S*)\s+-m\s+)?pip3?\s+install\b)(?P<args>.*?)(?P<end>\s*(?:#.*)?[\r\n]*)$"
)


def rewrite_pip_line(line: str) -> tuple[str, list[str]]:
    """A notebook ``!pip install ...`` / ``%pip install ...`` line with tensorflow-hub
    requirements rewritten; messages for the report."""
    match = _PIP.match(line)
    if not match or not MENTIONS_HUB.search(line.encode()):
        return line, []
    collector = _Collector()
    tokens = re.split(r"(\s+)", match.group("args"))
    for i, token in enumerate(tokens):
        if not token or token.isspace() or token.startswith("-"):
            continue
        quote = token[0] if token[0] in "\"'" and token[-1] == token[0] and len(token) > 1 else ""
        body = token[1:-1] if quote else token
        new = collector.apply(body, 1)
        if not quote and new != body and any(c.isspace() for c in new):
            quote = "'"  # `hubcompat @ URL` is one argument to pip, not three
        tokens[i] = f"{quote}{new}{quote}"
    messages = [m for _, m in collector.changes] + [m for _, m in collector.result("").todos]
    return match.group("head") + "".join(tokens) + match.group("end"), messages


def rewrite_file(path: str, text: str) -> Rewrite:
    """Dispatch on the file name (see :func:`is_dependency_file`)."""
    name = os.path.basename(path)
    if name == "pyproject.toml":
        return rewrite_pyproject(text)
    if name == "setup.cfg":
        return rewrite_setup_cfg(text)
    return rewrite_requirements_txt(text)
