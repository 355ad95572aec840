"""No import cycle inside hubcompat (codemods/ is hubcompat.codemods).

The graph is read with ``ast``, without importing anything (no TensorFlow, fast):
module-level *and* function-level imports count, since a function-level import
only hides a cycle until the function runs; imports under ``if TYPE_CHECKING:``
do not, since they never run. ``importlib.import_module("literal")`` counts too;
computed names (``hubcompat/__main__.py``'s commands, ``hubcompat/__init__.py``'s
lazy attributes) cannot be read statically. Importing a module runs its parent
packages' ``__init__`` first; that implicit edge is not counted (Python handles it),
an explicit ``from hubcompat import errors`` is (an edge to ``hubcompat.errors``).

Run by the ``lint`` nox session; ``python tests/test_import_cycles.py`` prints the cycles.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# package name -> its folder (pyproject.toml [tool.setuptools] package-dir).
ROOTS = {"hubcompat": REPO / "hubcompat", "hubcompat.codemods": REPO / "codemods"}


@dataclass(frozen=True)
class Edge:
    target: str
    line: int
    where: str  # "module level" or "in f()"


def module_files(roots: Mapping[str, Path]) -> dict[str, Path]:
    """Module name -> source file, for every .py file below each root."""
    modules: dict[str, Path] = {}
    for package, folder in roots.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every import node that can run, with the function it is in ("" at module level)."""

    def visit(node: ast.AST, where: str) -> Iterator[tuple[ast.AST, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.orelse:  # the body never runs
                    yield from visit_one(stmt, where)
                continue
            yield from visit_one(child, where)

    def visit_one(node: ast.AST, where: str) -> Iterator[tuple[ast.AST, str]]:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, where
        elif isinstance(node, ast.Call) and _is_import_module(node):
            yield node, where
        inner = (f"in {node.name}()" if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 else where)
        yield from visit(node, inner)

    yield from visit(tree, "module level")


def _is_import_module(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return (name == "import_module" and len(call.args) == 1
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """``name`` or its longest prefix that is one of ``modules``."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _targets(node: ast.AST, module: str, is_package: bool,
             modules: Mapping[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [t for alias in node.names if (t := _known(alias.name, modules))]
    if isinstance(node, ast.Call):
        assert isinstance(node.args[0], ast.Constant)
        target = _known(node.args[0].value, modules)
        return [target] if target else []
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    targets = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        target = submodule if submodule in modules else _known(base, modules)
        if target:
            targets.append(target)
    return targets


def import_graph(roots: Mapping[str, Path] = ROOTS) -> dict[str, dict[str, Edge]]:
    """module -> {imported module -> the first import of it}, inside ``roots`` only."""
    modules = module_files(roots)
    graph: dict[str, dict[str, Edge]] = {}
    for module, path in modules.items():
        edges: dict[str, Edge] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, where in _imports(tree):
            for target in _targets(node, module, path.name == "__init__.py", modules):
                if target != module:
                    lineno = getattr(node, "lineno", 0)
                    edges.setdefault(target, Edge(target, lineno, where))
        graph[module] = edges
    return graph


def _components(graph: Mapping[str, Mapping[str, Edge]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _shortest_cycle(graph: Mapping[str, Mapping[str, Edge]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, as a list of modules."""
    start, members = component[0], set(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child in members and child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{component} is not strongly connected")


def cycles(graph: Mapping[str, Mapping[str, Edge]]) -> list[str]:
    """One line per import cycle: each step with the line and function of its import."""
    lines = []
    for component in _components(graph):
        cycle = _shortest_cycle(graph, component)
        steps = [cycle[0]]
        for source, target in zip(cycle, cycle[1:]):
            edge = graph[source][target]
            steps.append(f"-> {target} (line {edge.line}, {edge.where})")
        extra = sorted(set(component) - set(cycle))
        lines.append(" ".join(steps) + (f"; same cycle also through {', '.join(extra)}"
                                        if extra else ""))
    return lines


def test_hubcompat_has_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles in hubcompat/ (break each one):\n" + "\n".join(found)


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_function_level_and_relative_imports_count(tmp_path):
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "a.py": "from pkg import b\n",
        "b.py": "def f():\n    from .sub import c\n",
        "sub/__init__.py": "",
        "sub/c.py": "import pkg.a as a\n",
        "d.py": "from pkg.sub import c\n",  # into the cycle, not part of it
    })
    found = cycles(import_graph({"pkg": tmp_path / "pkg"}))
    assert found == ["pkg.a -> pkg.b (line 1, module level) -> pkg.sub.c (line 2, in f()) "
                     "-> pkg.a (line 1, module level)"]


def test_type_checking_imports_and_parent_packages_do_not_count(tmp_path):
    _write(tmp_path / "pkg", {
        "__init__.py": "from pkg.a import A\n",
        "a.py": ("from typing import TYPE_CHECKING\nimport pkg.b\nA = 1\n"
                 "if TYPE_CHECKING:\n    from pkg import b2\nelse:\n    import os\n"),
        "b.py": "import typing\nif typing.TYPE_CHECKING:\n    import pkg.a\n",
        "b2.py": "import pkg.a\n",
    })
    graph = import_graph({"pkg": tmp_path / "pkg"})
    assert cycles(graph) == []
    assert set(graph["pkg.a"]) == {"pkg.b"}
    # ... but an import of the package itself is an edge: __init__ -> a -> __init__.
    (tmp_path / "pkg" / "b.py").write_text("from pkg import A\n")
    assert cycles(import_graph({"pkg": tmp_path / "pkg"})) == [
        "pkg -> pkg.a (line 1, module level) -> pkg.b (line 2, module level) "
        "-> pkg (line 1, module level)"]


def test_import_module_with_a_literal_counts(tmp_path):
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "a.py": "import importlib\ndef f():\n    return importlib.import_module('pkg.b')\n",
        "b.py": "from . import a\n",
    })
    assert cycles(import_graph({"pkg": tmp_path / "pkg"})) == [
        "pkg.a -> pkg.b (line 3, in f()) -> pkg.a (line 1, module level)"]


if __name__ == "__main__":
    found = cycles(import_graph())
    print("\n".join(found) or "no import cycle in hubcompat/")
    sys.exit(1 if found else 0)
