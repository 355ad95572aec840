"""hubcompat/tf1/imported_graph.py: one tag set's graph imported onto shared TF2 state.

Outputs, gradients, update ops, regularization losses and tables are compared
with the same graph run in a tf.compat.v1 Session (tests/support/tf1_session.py).
"""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from hubcompat.tf1.imported_graph import ImportedGraph  # noqa: E402
from hubcompat.tf1.module_reader import ModuleReader  # noqa: E402
from hubcompat.tf1.state import ModuleState  # noqa: E402

from tests.support import tf1_session  # noqa: E402
from tests.support.paths import FIXTURES  # noqa: E402

ATOL = 1e-5


def _reference(name):
    with np.load(FIXTURES / f"{name}.reference.npz") as ref:
        return {k: ref[k] for k in ref.files}


def _imported(name, tags=()):
    reader = ModuleReader(str(FIXTURES / name))
    state = ModuleState(reader, tags)
    return ImportedGraph(reader, tags, state), state


def test_signatures_compute_what_the_tf1_session_computes():
    graph, _ = _imported("mlp_bn")
    x = _reference("mlp_bn")["input/default/x"]
    for signature, key in (("default", "x"), ("double", "default")):
        expected = tf1_session.run(FIXTURES / "mlp_bn", (), signature, {key: x})["outputs"]
        function = graph.signature(signature)
        assert function.input_keys == [key]
        outputs = function([tf.constant(x)])
        assert sorted(outputs) == sorted(expected)
        for output, value in expected.items():
            np.testing.assert_allclose(outputs[output].numpy(), value, atol=ATOL, err_msg=output)


def test_gradients_reach_the_state_variables_as_in_tf1():
    graph, state = _imported("mlp_bn")
    ref = _reference("mlp_bn")
    x, weights = ref["input/default/x"], ref["grad_weights/default"]
    expected = tf1_session.run(FIXTURES / "mlp_bn", (), "default", {"x": x}, "default", weights)
    with tf.GradientTape() as tape:
        output = graph.signature("default")([tf.constant(x)])["default"]
        target = tf.reduce_sum(output * weights)
    variables = state.variables_by_name
    names = sorted(expected["grads"])
    grads = tape.gradient(target, [variables[n] for n in names])
    for name, grad in zip(names, grads, strict=True):
        np.testing.assert_allclose(tf.convert_to_tensor(grad).numpy(), expected["grads"][name],
                                   atol=ATOL, err_msg=name)


@pytest.mark.parametrize("name, output", [("mlp_bn", "normalized"), ("ref_vars", "default")])
def test_train_graph_update_ops_change_the_state_as_in_tf1(name, output):
    graph, state = _imported(name, {"train"})
    x = next(v for k, v in _reference(name).items() if k.startswith("input/default/"))
    (key,) = graph.signature("default").input_keys
    expected = tf1_session.run(FIXTURES / name, ("train",), "default", {key: x}, run_update_ops=True)
    outputs = graph.signature("default", with_update_ops=True)([tf.constant(x)])
    np.testing.assert_allclose(outputs[output].numpy(), expected["outputs"][output], atol=ATOL)
    for variable_name, variable in state.variables_by_name.items():
        np.testing.assert_allclose(variable.numpy(), expected["variables_after"][variable_name],
                                   atol=ATOL, err_msg=variable_name)
    written = sorted(v.name.split(":")[0] for v in graph.written_variables)
    assert written == {"mlp_bn": ["bn/moving_mean", "bn/moving_variance"],
                       "ref_vars": ["running_mean", "steps"]}[name]


def test_without_update_ops_the_train_graph_leaves_the_state_alone():
    graph, state = _imported("mlp_bn", {"train"})
    before = {n: v.numpy() for n, v in state.variables_by_name.items()}
    graph.signature("default")([tf.constant(_reference("mlp_bn")["input/default/x"])])
    for name, variable in state.variables_by_name.items():
        np.testing.assert_array_equal(variable.numpy(), before[name], err_msg=name)


def test_regularization_losses_are_the_tf1_graphs():
    graph, _ = _imported("mlp_bn")
    expected = tf1_session.run(FIXTURES / "mlp_bn", (), "default",
                               {"x": _reference("mlp_bn")["input/default/x"]})
    values = [float(loss()) for loss in graph.regularization_losses]
    np.testing.assert_allclose(values, expected["regularization_losses"], rtol=1e-6)


def test_tables_are_initialized_from_the_assets_as_in_tf1():
    graph, state = _imported("text_embed")
    graph.initialize_tables()
    sentences = _reference("text_embed")["input/default/default"]
    expected = tf1_session.run(FIXTURES / "text_embed", (), "default", {"default": sentences})
    outputs = graph.signature("default")([tf.constant(sentences)])
    np.testing.assert_allclose(outputs["default"].numpy(), expected["outputs"]["default"], atol=ATOL)
    assert len(state.tables) == 1


def test_two_graphs_on_one_state_share_the_variables():
    reader = ModuleReader(str(FIXTURES / "mlp_bn"))
    state = ModuleState(reader, ())
    infer, train = ImportedGraph(reader, (), state), ImportedGraph(reader, {"train"}, state)
    x = tf.constant(_reference("mlp_bn")["input/default/x"])
    train.signature("default", with_update_ops=True)([x])  # moves the moving averages
    expected = tf1_session.run(FIXTURES / "mlp_bn", ("train",), "default", {"x": x.numpy()},
                               run_update_ops=True)["variables_after"]
    moved = {n: v for n, v in expected.items() if n.startswith("bn/moving_")}
    for name, value in moved.items():
        np.testing.assert_allclose(state.variables_by_name[name].numpy(), value, atol=ATOL)
    # The inference graph now normalizes with the moved averages: numpy on the same weights.
    w = {n: v.numpy() for n, v in state.variables_by_name.items()}
    hidden = np.maximum(x.numpy() @ w["fc1/weights"] + w["fc1/biases"], 0.0)
    normalized = ((hidden - w["bn/moving_mean"]) * w["bn/gamma"]
                  / np.sqrt(w["bn/moving_variance"] + 1e-3) + w["bn/beta"])
    np.testing.assert_allclose(infer.signature("default")([x])["normalized"].numpy(), normalized,
                               atol=ATOL)
