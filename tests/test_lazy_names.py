"""hubcompat/__init__.py names each lazy attribute twice: in ``_LAZY`` (what
``__getattr__`` imports at run time) and under ``if TYPE_CHECKING:`` (so type checkers
see ``hubcompat.load``, ``hubcompat.KerasLayer``, ... with their annotations instead of
``__getattr__``'s Any). This keeps the two the same, without importing TensorFlow."""

from __future__ import annotations

import ast

import hubcompat

from tests.support.paths import REPO


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse((REPO / "hubcompat" / "__init__.py").read_text())
    blocks = [node for node in tree.body if isinstance(node, ast.If)
              and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"]
    assert len(blocks) == 1, "hubcompat/__init__.py should have one `if TYPE_CHECKING:` block"
    names: dict[str, str] = {}
    for node in blocks[0].body:
        assert isinstance(node, ast.ImportFrom) and node.module, ast.unparse(node)
        for alias in node.names:
            assert alias.asname == alias.name, f"{ast.unparse(node)}: re-export as `X as X`"
            names[alias.name] = node.module
    return names


def test_type_checking_imports_are_the_lazy_attributes():
    assert _type_checking_imports() == hubcompat._LAZY


def test_every_lazy_attribute_is_exported_and_listed_by_dir():
    assert set(hubcompat._LAZY) <= set(hubcompat.__all__)
    assert set(hubcompat._LAZY) <= set(dir(hubcompat))
