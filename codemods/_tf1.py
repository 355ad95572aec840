"""TF1 programs onto the newest TensorFlow: the analysis and text edits of ``tf1_program``.

Why: TF1 hub code *is* TF1 graph code (``tf.Session``, ``tf.placeholder``,
``tf.layers``, ``tf.contrib``...); moving only its hub calls leaves a program
that dies on the first TF1 line. TensorFlow's migration guide's first step is
``import tensorflow.compat.v1 as tf`` with ``tf.disable_v2_behavior()`` right
after the import: a program that ran on TF 1.x then runs the same graph code
on TF 2.x. Done here per file, from ``ast`` (C speed) and TensorFlow's own API
tables (``_tf1_api``, recorded by ``tests/migrate/record_tf1_api.py``; TensorFlow is
never imported), as edits of the text, so the rest of the file keeps every byte:

- a file that uses names only ``tf.compat.v1`` has (``tf.Session``,
  ``tf.train.AdamOptimizer``; or ``tf.contrib``) is TF1 code. If it uses no
  name only the v2 API has, and does not turn eager execution on itself, its
  ``import tensorflow as tf`` becomes ``import tensorflow.compat.v1 as tf``
  followed by ``tf.disable_v2_behavior()`` (the guide's first step; TF 1.x ran
  everything as graphs). Otherwise (it mixes in TF2-only names) each TF1 name
  is spelled ``tf.compat.v1.<name>``, and so are names whose v2 meaning
  differs (``tf.summary.scalar``), with ``tf.compat.v1.disable_v2_behavior()``
  after the import unless the file turns eager execution on;
- ``tf.contrib.slim`` becomes ``tf_slim`` (the ``tf-slim`` package), contrib
  symbols with a TF2 successor (tf_upgrade_v2's renames) get it, the others
  are named in the report, as are ``tf.estimator`` (gone from TF 2.16: the way
  out is TF <= 2.15 with hubcompat, or a Keras rewrite) and other removed names;
- Keras 2 code (``tf.keras``, ``tf.layers``, which TF >= 2.16 routes to Keras 3
  or to tf-keras) in such a file gets ``os.environ["TF_USE_LEGACY_KERAS"] = "1"``
  before TensorFlow is imported (tf-keras in the requirements: the ``needs``
  of the result); in graph code ``from tensorflow.keras``/``from keras`` imports
  become ``from tensorflow.compat.v1.keras`` (TF 1.x's Keras, Session-aware).

Files already on ``tensorflow.compat.v1`` are left alone, so a second run
changes nothing.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from hubcompat.errors import UnparsableSourceError

#: Cheap byte tests (runner prefilter): the file imports TensorFlow ...
_IMPORTS_TF = re.compile(rb"(?m)^[ \t]*(?:import|from)[ \t]+tensorflow\b")
_FROM_TF = re.compile(r"from[ \t]+tensorflow(?=\.keras\b|[ \t]+import\b)")
_FROM_KERAS = re.compile(r"from[ \t]+(keras)\b")
_ATTRIBUTE_WORDS = re.compile(rb"\.([A-Za-z_]\w*)")
ALLOW_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)

ESTIMATOR_WAY_OUT = (
    "tf.estimator was removed in TensorFlow 2.16: this file runs on TensorFlow <= 2.15 "
    "with hubcompat (pip install 'tensorflow<2.16'), or rewrite its model with Keras"
)
SLIM = "tf_slim"
TODO_PREFIX = "# TODO(hubcompat): "  # as _todos.TODO_PREFIX (that module imports libcst)
LEGACY_KERAS_LINE = 'os.environ["TF_USE_LEGACY_KERAS"] = "1"  # Keras 2 code: tf-keras (hubcompat-migrate)'


def _api() -> Any:
    from hubcompat.codemods import _tf1_api

    return _tf1_api


def _trigger_words() -> frozenset[bytes]:
    api = _api()
    words = {n.split(".")[-1] for n in api.V1_ONLY} | {"contrib", "estimator"}
    return frozenset(w.encode() for w in words)


_WORDS: frozenset[bytes] | None = None


def may_be_tf1(data: bytes, notebook: bool = False) -> bool:
    """The runner's byte test: does this file import TensorFlow and name a TF1-only word?"""
    global _WORDS
    if b"tensorflow" not in data:
        return False
    if not (b"import tensorflow" in data if notebook else _IMPORTS_TF.search(data)):
        return False
    if _WORDS is None:
        _WORDS = _trigger_words()
    return not _WORDS.isdisjoint(_ATTRIBUTE_WORDS.findall(data)) or b"tensorflow.contrib" in data


@dataclass
class Rewrite:
    text: str
    #: report events: {"kind": "change"|"todo", "line": n, "message": ...}
    events: list[dict[str, Any]] = field(default_factory=list)
    #: packages the rewritten file needs ("tf-keras", "tf-slim")
    needs: set[str] = field(default_factory=set)


@dataclass
class _Chain:
    path: str  # after the alias: "train.AdamOptimizer"
    node: ast.Attribute
    root: ast.Name


class _Lines:
    """ast (line, byte column) -> offset in the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for match in re.finditer(r"\r\n|\r|\n", text):
            self.starts.append(match.end())

    def offset(self, line: int, col: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        raw = self.text[start:end]
        if raw.isascii():
            return start + col
        return start + len(raw.encode("utf-8")[:col].decode("utf-8", "replace"))

    def line_end(self, line: int) -> int:
        """Offset just after line ``line`` (its newline included)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def newline(self) -> str:
        match = re.search(r"\r\n|\r|\n", self.text)
        return match.group(0) if match else "\n"


#: (no leading ``\b``: a literal start lets ``re`` skip ahead, ~10x faster; checked after)
_ALIAS = re.compile(
    r"import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*"
    r"tensorflow(\.compat\.v1)?(?![\w.])(?:[ \t]+as[ \t]+(\w+))?"
)
#: imports that name contrib or Estimators (flagged or rewritten whatever the aliases)
_SPECIAL_IMPORT = re.compile(
    r"(?m)^[ \t]*(?:from[ \t]+tensorflow(?:\.\w+)*[ \t]+import[ \t].*\b(?:contrib|estimator)\b"
    r"|(?:import|from)[ \t]+tensorflow[._](?:contrib|estimator)\b)"
)


def _worth_parsing(text: str) -> bool:
    """A text test before ``ast``: does a ``tensorflow`` alias reach a TF1-only name?

    Only plain ``import tensorflow [as tf]`` / ``import tensorflow.compat.v1 as tf``
    aliases count (``ast`` then finds every use); other import forms of TensorFlow
    never make a file TF1 code. Parsing is the cost of this codemod, so a file
    whose aliases reach no TF1-only, contrib or removed name is left at this.
    """
    if ("contrib" in text or "estimator" in text) and _SPECIAL_IMPORT.search(text):
        return True
    aliases = {
        (m.group(2) or "tensorflow"): bool(m.group(1))
        for m in _ALIAS.finditer(text)
        if _starts_statement(text, m.start())
    }
    if not aliases:
        return False
    if not _reaches_tf1(text, aliases):
        return False
    # names in docstrings (``tf.Session`` in a TF2 library's docs) would cost a parse of
    # a big file: look again without the triple-quoted strings
    if '"""' in text or "'''" in text:
        return _reaches_tf1(_DOCSTRINGS.sub("", text), aliases)
    return True


def _reaches_tf1(text: str, aliases: dict[str, bool]) -> bool:
    api = _api()
    pattern = re.compile(
        r"(?<![\w.])(" + "|".join(map(re.escape, aliases)) + r")[ \t]*\.[ \t]*([\w.]+)"
    )
    for alias, path in set(pattern.findall(text)):
        compat = aliases[alias] or path.startswith("compat.v1.")
        path = _relative(path)
        if path.split(".")[0] in ("contrib", "estimator") or _in(path, api.REMOVED):
            return True
        if not compat and _in(path, api.V1_ONLY):
            return True
    return False


_DOCSTRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'')


def _starts_statement(text: str, at: int) -> bool:
    """Is ``at`` where a statement starts (after indentation, ``;`` or ``:``), not in
    ``>>> import tensorflow as tf`` or ``# import ...``?"""
    before = text[text.rfind("\n", 0, at) + 1 : at].rstrip(" \t")
    return not before or before.endswith((";", ":"))


def _prefixes(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _in(path: str, names: frozenset[str]) -> str | None:
    for prefix in _prefixes(path):
        if prefix in names:
            return prefix
    return None


def rewrite(text: str) -> Rewrite:
    """The TF1 -> TF2 edits of one Python text (notebooks: all cells as one text)."""
    result = Rewrite(text)
    if not _worth_parsing(text):
        return result
    try:
        module = compile(text, "<tf1>", "exec", ast.PyCF_ONLY_AST | ALLOW_TOP_LEVEL_AWAIT,
                         dont_inherit=True)  # fmt: skip
    except (SyntaxError, ValueError) as exc:
        # TF1 code that is not Python 3 (a Python 2 program) must not pass as "runs as it is"
        where = f", line {exc.lineno}" if isinstance(exc, SyntaxError) and exc.lineno else ""
        raise UnparsableSourceError(
            f"not Python 3 ({getattr(exc, 'msg', exc)}{where}); left unchanged, port it to "
            "Python 3 first"
        ) from None
    api = _api()
    aliases: dict[str, str] = {}  # local name -> "" (tensorflow) or "compat.v1" ...
    tf_imports: list[tuple[ast.Import, ast.alias]] = []
    contrib_imports: list[ast.stmt] = []
    estimator_lines: list[int] = []
    keras = False
    keras_from: list[ast.ImportFrom] = []  # from tensorflow(.keras...) import ...
    standalone_keras: list[ast.stmt] = []  # import keras / from keras(...) import ...
    os_imported = False
    chains: list[_Chain] = []
    inner: set[int] = set()
    attributes: list[ast.Attribute] = []
    guarded_imports: dict[int, int] = {}  # statement in a `try:` catching ImportError: its line
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for name in node.names:
                if name.name == "os" and name.asname is None:
                    os_imported = True
                if name.name == "tensorflow" or name.name.startswith("tensorflow."):
                    rest = name.name[len("tensorflow.") :] if "." in name.name else ""
                    if rest.startswith("contrib"):
                        contrib_imports.append(node)
                    elif rest.startswith("estimator"):
                        estimator_lines.append(node.lineno)
                    elif rest.startswith("keras"):
                        keras = True
                    if name.asname is not None:
                        aliases[name.asname] = rest
                        if rest == "":
                            tf_imports.append((node, name))
                    elif rest == "":
                        aliases["tensorflow"] = ""
                        tf_imports.append((node, name))
                elif name.name in ("tensorflow_estimator",):
                    estimator_lines.append(node.lineno)
                elif name.name == "keras" or name.name.startswith("keras."):
                    keras = True
                    if name.name == "keras" and len(node.names) == 1:
                        standalone_keras.append(node)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "tensorflow" or node.module.startswith("tensorflow."):
                rest = node.module[len("tensorflow.") :] if "." in node.module else ""
                names = {a.name for a in node.names}
                if rest.startswith("contrib") or (rest == "" and "contrib" in names):
                    contrib_imports.append(node)
                if rest.startswith("estimator") or (rest == "" and "estimator" in names):
                    estimator_lines.append(node.lineno)
                if rest.startswith("keras") or (rest == "" and "keras" in names):
                    keras = True
                    keras_from.append(node)
            elif node.module.startswith(("tensorflow_estimator",)):
                estimator_lines.append(node.lineno)
            elif node.module == "keras" or node.module.startswith("keras."):
                keras = True
                standalone_keras.append(node)
        elif isinstance(node, ast.Attribute):
            attributes.append(node)
            if isinstance(node.value, ast.Attribute):
                inner.add(id(node.value))
        elif isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
            for h in node.handlers
        ):
            guarded_imports.update({id(n): node.lineno for n in node.body})
    if not (aliases or estimator_lines or contrib_imports):
        return result
    for node in attributes:
        if id(node) in inner:
            continue
        parts = [node.attr]
        value = node.value
        while isinstance(value, ast.Attribute):
            parts.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in aliases:
            base = aliases[value.id]
            path = ".".join([*([base] if base else []), *reversed(parts)])
            chains.append(_Chain(path, node, value))
    plain = [c for c in chains if aliases[c.root.id] == ""]
    v1 = [c for c in plain if _in(c.path, api.V1_ONLY)]
    contrib = [  # through `tf` or a compat.v1 alias (`import tensorflow.contrib.x as y`: the import)
        c for c in chains
        if aliases[c.root.id] in ("", "compat.v1") and _relative(c.path).split(".")[0] == "contrib"
    ]  # fmt: skip
    v2 = [c for c in plain if _in(c.path, api.V2_ONLY)]
    eager = [c for c in plain if c.path in ("enable_eager_execution", "enable_v2_behavior")]
    for chain in chains:
        if _in(chain.path, api.REMOVED) or chain.path.startswith("compat.v1.estimator"):
            if chain.path.split(".")[0] == "estimator" or "estimator" in chain.path:
                estimator_lines.append(chain.node.lineno)
            else:
                _todo(result, chain.node.lineno, f"tf.{chain.path} is not in TensorFlow "
                      f"{api.NEWEST}: this file runs on TensorFlow <= 2.15 with hubcompat")  # fmt: skip
        if chain.path.split(".")[0] in ("keras", "layers") or chain.path.startswith(
            ("compat.v1.layers", "compat.v1.keras")
        ):
            keras = True
    for line in sorted(set(estimator_lines))[:1]:
        _todo(result, line, ESTIMATOR_WAY_OUT)
    tf1 = bool(v1 or contrib or contrib_imports)
    lines = _Lines(text)
    edits: list[tuple[int, int, str]] = []
    if not tf1:
        _todo_comments(module, text, lines, result, edits)
        result.text = _apply(text, edits)
        return result
    whole = not v2 and not eager and bool(tf_imports)
    # contrib first (their spans are inside chains the other edits leave alone)
    done: set[int] = set()
    slim = False
    for chain in contrib:
        done.add(id(chain))
        new = _contrib(chain, whole or aliases[chain.root.id] != "", api)
        start = lines.offset(chain.root.lineno, chain.root.col_offset)
        if new is None:
            top = ".".join(_relative(chain.path).split(".")[:2])
            _todo(result, chain.node.lineno, f"tf.{top} was removed in TensorFlow 2.0 and has no "
                  "successor: rewrite this use with TF2 / Keras APIs (tf_upgrade_v2's notes list "
                  "replacements)")  # fmt: skip
            continue
        if new.startswith(SLIM):
            slim = True
            at = chain.path.index("contrib.") + len("contrib.slim" if "contrib.slim" in chain.path
                                                    else "contrib.layers." + new[len(SLIM) + 1:])
            prefix = chain.root.id + "." + chain.path[:at]
            end = start + len(prefix)
            if text[start:end] != prefix:
                continue
            edits.append((start, end, SLIM if "contrib.slim" in chain.path else new))
        else:
            end = lines.offset(chain.node.end_lineno or 0, chain.node.end_col_offset or 0)
            edits.append((start, end, f"{chain.root.id}.{new}"))
        _change(result, chain.node.lineno, f"tf.{chain.path} -> {new.replace(chain.root.id, 'tf')}")
    for statement in contrib_imports:
        new_import = _contrib_import(statement)
        if new_import is None:
            guarded = _guard(text, lines, statement, guarded_imports)
            if guarded is not None:
                edits.append(guarded)
            binds = (
                " the import now binds None (the program runs until it uses it);"
                if guarded is not None or id(statement) in guarded_imports
                else ""
            )
            _todo(result, guarded_imports.get(id(statement), statement.lineno),
                  f"{_contrib_spelled(statement)} was removed in TensorFlow 2.0 and has no "
                  f"successor:{binds} rewrite that code with TF2 / Keras APIs")  # fmt: skip
            continue
        slim = True
        start = lines.offset(statement.lineno, statement.col_offset)
        end = lines.offset(statement.end_lineno or 0, statement.end_col_offset or 0)
        edits.append((start, end, new_import))
        _change(result, statement.lineno, f"{ast.unparse(statement)} -> {new_import}")
    if slim:
        result.needs.add("tf-slim")
    if whole:
        for node, alias in tf_imports:
            start = lines.offset(alias.lineno, alias.col_offset)
            end = lines.offset(alias.end_lineno or 0, alias.end_col_offset or 0)
            local = alias.asname or "tensorflow"
            edits.append((start, end, f"tensorflow.compat.v1 as {local}"))
            indent = _indent(text, lines, node)
            if indent is None:  # `try: import tensorflow as tf` on one line: no place to add
                continue
            at = lines.line_end(node.end_lineno or node.lineno)
            nl = lines.newline()
            sep = "" if text[:at].endswith(("\n", "\r")) else nl
            edits.append((at, at, f"{sep}{indent}{local}.disable_v2_behavior(){nl}"))
        for statement in keras_from:  # TF 1.x's tf.keras was what compat.v1.keras is
            start = lines.offset(statement.lineno, statement.col_offset)
            end = lines.offset(statement.end_lineno or 0, statement.end_col_offset or 0)
            found = _FROM_TF.match(text, start, end)
            if found:
                edits.append((found.end(), found.end(), ".compat.v1"))
        for statement in standalone_keras:  # Keras 2 (TF backend) -> TF 1.x's tf.keras
            start = lines.offset(statement.lineno, statement.col_offset)
            end = lines.offset(statement.end_lineno or 0, statement.end_col_offset or 0)
            if isinstance(statement, ast.Import):
                keras_as = statement.names[0].asname
                edits.append((start, end, "from tensorflow.compat.v1 import keras"
                              + (f" as {keras_as}" if keras_as else "")))  # fmt: skip
            else:
                found = _FROM_KERAS.match(text, start, end)
                if found:
                    edits.append((found.start(1), found.start(1), "tensorflow.compat.v1."))
        _change(result, tf_imports[0][0].lineno, "TF1 graph code: import tensorflow.compat.v1 "
                "as tf, with tf.disable_v2_behavior() (TensorFlow's migration guide, first step)")  # fmt: skip
    else:
        renamed = 0
        for chain in plain:
            if id(chain) in done or chain.path.split(".")[0] == "contrib":
                continue
            if not (_in(chain.path, api.V1_ONLY) or chain.path in api.V1_SEMANTICS):
                continue
            at = lines.offset(chain.root.end_lineno or 0, chain.root.end_col_offset or 0)
            if text[at : at + 1] != ".":
                continue
            edits.append((at + 1, at + 1, "compat.v1."))
            renamed += 1
        if renamed:
            _change(result, v1[0].node.lineno if v1 else 1, f"{renamed} TF1 names spelled "
                    "tf.compat.v1.<name> (the file also uses TF2-only APIs)")  # fmt: skip
        if renamed and tf_imports and not eager:  # TF 1.x ran it as graphs all the same
            node, alias = tf_imports[0]
            indent = _indent(text, lines, node)
            if indent is not None:
                at = lines.line_end(node.end_lineno or node.lineno)
                nl = lines.newline()
                sep = "" if text[:at].endswith(("\n", "\r")) else nl
                local = alias.asname or "tensorflow"
                edits.append((at, at, f"{sep}{indent}{local}.compat.v1.disable_v2_behavior(){nl}"))
    if keras and "TF_USE_LEGACY_KERAS" not in text:
        first = min(
            (n for n in module.body if _imports_tensorflow(n)),
            key=lambda n: n.lineno,
            default=None,
        )
        if first is not None:
            nl = lines.newline()
            at = lines.starts[first.lineno - 1]
            added = ("" if os_imported and _os_before(module, first) else f"import os{nl}")
            edits.append((at, at, f"{added}{LEGACY_KERAS_LINE}{nl}"))
            result.needs.add("tf-keras")
            _change(result, first.lineno, "Keras 2 code: TF_USE_LEGACY_KERAS=1 before TensorFlow "
                    "is imported (tf.keras / tf.layers stay on Keras 2 via tf-keras)")  # fmt: skip
    if slim and not _imports_slim(module):
        anchor = tf_imports[0][0] if tf_imports else None
        if anchor is not None and not _one_line_compound(text, lines, anchor):
            at = lines.line_end(anchor.end_lineno or anchor.lineno)
            nl = lines.newline()
            line_start = lines.starts[anchor.lineno - 1]
            indent = text[line_start : lines.offset(anchor.lineno, anchor.col_offset)]
            sep = "" if text[:at].endswith(("\n", "\r")) else nl
            if any(new.split(".")[0] == SLIM for _, _, new in edits):
                edits.append((at, at, f"{sep}{indent}import tf_slim{nl}"))
    _todo_comments(module, text, lines, result, edits)
    result.text = _apply(text, edits)
    for event in result.events:  # lines of the new text
        at = lines.starts[event["line"] - 1]
        event["line"] += sum(
            new.count("\n") - text[start:end].count("\n")
            for start, end, new in edits
            if start < at or (start == at == end)
        )
    return result


def _todo_comments(
    module: ast.Module, text: str, lines: _Lines, result: Rewrite, edits: list[Any]
) -> None:
    """``# TODO(hubcompat): msg`` above the statement of each TODO (not twice)."""
    todos = [e for e in result.events if e["kind"] == "todo"]
    if not todos:
        return
    statements = [n for n in ast.walk(module) if isinstance(n, ast.stmt)]
    placed: dict[int, list[str]] = {}
    for event in todos:
        line = event["line"]
        around = [s for s in statements if s.lineno <= line <= (s.end_lineno or s.lineno)]
        if not around:
            continue
        statement = max(around, key=lambda s: s.lineno)
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
        at = lines.starts[first - 1]
        indent = text[at : lines.offset(statement.lineno, statement.col_offset)]
        if indent.strip():  # a statement after `;` or `:` on its line: no comment line
            continue
        comment = f"{TODO_PREFIX}{event['message']}"
        above, number = [], first - 1
        while number >= 1:
            previous = text[lines.starts[number - 1] : lines.starts[number]].strip()
            if not previous.startswith("#"):
                break
            above.append(previous)
            number -= 1
        if comment in above or comment in placed.setdefault(at, []):
            continue
        placed[at].append(comment)
        edits.append((at, at, f"{indent}{comment}{lines.newline()}"))


def _indent(text: str, lines: _Lines, node: ast.stmt) -> str | None:
    """The indentation of the block ``node`` is in (None: it follows a ``:`` on its line)."""
    line_start = lines.starts[node.lineno - 1]
    before = text[line_start : lines.offset(node.lineno, node.col_offset)]
    if not before.strip():
        return before
    if before.rstrip().endswith(";"):
        return before[: len(before) - len(before.lstrip())]
    return None


def _one_line_compound(text: str, lines: _Lines, node: ast.stmt) -> bool:
    start = lines.starts[node.lineno - 1]
    return bool(text[start : lines.offset(node.lineno, node.col_offset)].strip())


def _imports_tensorflow(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] in ("tensorflow", "keras") for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] in ("tensorflow", "keras", "tensorflow_hub")
    return False


def _os_before(module: ast.Module, first: ast.stmt) -> bool:
    return any(
        isinstance(n, ast.Import)
        and any(a.name == "os" and a.asname is None for a in n.names)
        and n.lineno < first.lineno
        for n in module.body
    )


def _imports_slim(module: ast.Module) -> bool:
    return any(
        isinstance(n, ast.Import) and any(a.name == SLIM and a.asname is None for a in n.names)
        for n in module.body
    )


def _relative(path: str) -> str:
    return path[len("compat.v1.") :] if path.startswith("compat.v1.") else path


def _contrib(chain: _Chain, whole: bool, api: Any) -> str | None:
    """The successor of a ``tf.contrib`` chain (text after the alias), or None."""
    path = _relative(chain.path)
    if path == "contrib.slim" or path.startswith("contrib.slim."):
        return SLIM + path[len("contrib.slim") :]
    new = api.CONTRIB_RENAMES.get(path)
    if new is None:
        layer = path.removeprefix("contrib.layers.")
        if layer != path and layer in api.SLIM_LAYERS:
            return f"{SLIM}.{layer}"
        return None
    if whole and not new.startswith("compat.") and _in(new, api.V2_ONLY):
        return "compat.v2." + new
    return new


def _contrib_spelled(statement: ast.stmt) -> str:
    if isinstance(statement, ast.ImportFrom):
        names = ", ".join(a.name for a in statement.names)
        return f"{statement.module}.{names}" if len(statement.names) == 1 else (
            f"{statement.module} ({names})"
        )
    return ", ".join(a.name for a in getattr(statement, "names", []))


def _guard(
    text: str, lines: _Lines, statement: ast.stmt, guarded: dict[int, int]
) -> tuple[int, int, str] | None:
    """``try: <import> / except ImportError: <names> = None`` around a contrib import
    with no successor, so the program runs until it uses it (not when it is guarded)."""
    if id(statement) in guarded or (statement.end_lineno or 0) != statement.lineno:
        return None
    names = [a.asname or a.name for a in getattr(statement, "names", [])]
    if isinstance(statement, ast.Import) and any(a.asname is None for a in statement.names):
        return None  # `import tensorflow.contrib.x` binds `tensorflow`
    indent = _indent(text, lines, statement)
    if indent is None or not names or "*" in names:
        return None
    start = lines.offset(statement.lineno, statement.col_offset)
    end = lines.offset(statement.lineno, statement.end_col_offset or 0)
    nl = lines.newline()
    block = (
        f"try:{nl}{indent}    {text[start:end]}{nl}"
        f"{indent}except ImportError:  # no tf.contrib in TensorFlow 2 (hubcompat-migrate){nl}"
        f"{indent}    {' = '.join(names)} = None"
    )
    return (start, end, block)


def _contrib_import(statement: ast.stmt) -> str | None:
    """``import tensorflow.contrib.slim as slim`` / ``from tensorflow.contrib import slim`` ..."""
    if isinstance(statement, ast.Import) and len(statement.names) == 1:
        alias = statement.names[0]
        if alias.name == "tensorflow.contrib.slim":
            return f"import {SLIM} as {alias.asname}" if alias.asname else None
        if alias.name.startswith("tensorflow.contrib.slim.") and alias.asname:
            return f"import {SLIM}{alias.name[len('tensorflow.contrib.slim'):]} as {alias.asname}"
        return None
    if isinstance(statement, ast.ImportFrom) and statement.module:
        module = statement.module
        if module == "tensorflow.contrib" and len(statement.names) == 1:
            alias = statement.names[0]
            if alias.name == "slim":
                return f"import {SLIM} as {alias.asname or 'slim'}"
            return None
        if module == "tensorflow.contrib.layers" and all(
            a.name in _api().SLIM_LAYERS for a in statement.names
        ):
            module = "tensorflow.contrib.slim"  # tf-slim's top level: contrib.layers' successor
        if module == "tensorflow.contrib.slim" or module.startswith("tensorflow.contrib.slim."):
            names = ", ".join(
                f"{a.name} as {a.asname}" if a.asname else a.name for a in statement.names
            )
            return f"from {SLIM}{module[len('tensorflow.contrib.slim'):]} import {names}"
    return None


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    out, last = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < last:
            continue  # overlapping (a chain inside a rewritten import): first wins
        out += [text[last:start], new]
        last = end
    out.append(text[last:])
    return "".join(out)


def _change(result: Rewrite, line: int, message: str) -> None:
    result.events.append({"kind": "change", "line": line, "message": message})


def _todo(result: Rewrite, line: int, message: str) -> None:
    result.events.append({"kind": "todo", "line": line, "message": message, "blocker": True})
