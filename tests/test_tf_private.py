"""hubcompat._tf_private: TensorFlow's private APIs, reached from one module only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import tensorflow as tf

from hubcompat import _tf_private

PACKAGE = Path(_tf_private.__file__).parent


def _imports_tensorflow_python(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(n == "tensorflow.python" or n.startswith("tensorflow.python.") for n in names):
            lines.append(node.lineno)
    return lines


def test_only_tf_private_imports_tensorflow_python():
    offenders = {str(p.relative_to(PACKAGE)): lines for p in sorted(PACKAGE.rglob("*.py"))
                 if p.name != "_tf_private.py" and (lines := _imports_tensorflow_python(p))}
    assert offenders == {}
    assert _imports_tensorflow_python(PACKAGE / "_tf_private.py")


def test_lazy_attributes_are_tensorflows_classes():
    assert _tf_private.AutoTrackable is tf.__internal__.tracking.AutoTrackable
    assert hasattr(_tf_private.feature_column_v2, "DenseColumn")
    assert hasattr(_tf_private.feature_column_v1, "_DenseColumn")
    with pytest.raises(AttributeError, match="no_such_thing"):
        _tf_private.no_such_thing  # noqa: B018 (the attribute access is the test)


def test_registered_op_def():
    assert [a.name for a in _tf_private.registered_op_def("MatMul").input_arg] == ["a", "b"]
    assert _tf_private.registered_op_def("NoSuchOpAnywhere") is None


def test_tf1_graph_building_puts_every_setting_back():
    graph = tf.Graph()
    before = tf.Tensor._USE_EQUALITY
    with _tf_private.tf1_graph_building(graph):
        assert tf.compat.v1.get_default_graph() is graph
        assert tf.Tensor._USE_EQUALITY is False
        # TF1 control flow: a v1 while loop builds Enter/Exit ops, as TF1 modules have
        tf.compat.v1.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
    assert {"Enter", "Exit", "NextIteration"} <= {op.type for op in graph.get_operations()}
    assert tf.Tensor._USE_EQUALITY is before
    assert not hasattr(graph, "_captured")


def test_building_wrapped_function_tells_wrap_function_from_tf_function():
    seen = {}

    def probe(name):
        seen[name] = _tf_private.building_wrapped_function()
        return tf.constant(1.0)

    tf.compat.v1.wrap_function(lambda: probe("wrapped"), [])
    tf.function(lambda: probe("function"))()
    assert seen == {"wrapped": True, "function": False}
    assert _tf_private.building_wrapped_function() is False  # eagerly
