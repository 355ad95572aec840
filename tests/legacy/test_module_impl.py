"""hub.Module's two implementations: one interface, one variable map, the same numbers.

text_embed has a partitioned embedding; the graph implementation groups the
parts from the graph's variables, the eager one from the module's
VariableDefs: both must give the same map, and the same outputs as the TF1
Session reference recorded with the fixture.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import hubcompat as hub
from hubcompat.legacy.eager_module import EagerModule
from hubcompat.legacy.graph_module import GraphModule
from hubcompat.legacy.module_impl import ModuleImpl

from tests.support.paths import FIXTURES

MODULE = str(FIXTURES / "text_embed")


def _shapes(variable_map):
    return {key: [v.shape.as_list() for v in value] if isinstance(value, list)
            else value.shape.as_list() for key, value in variable_map.items()}


def test_both_implementations_give_one_variable_map_and_the_reference():
    refs = np.load(str(FIXTURES / "text_embed.reference.npz"))
    sentences = refs["input/default/default"]
    eager = hub.Module(MODULE)
    assert isinstance(eager._impl, EagerModule) and isinstance(eager._impl, ModuleImpl)
    np.testing.assert_allclose(eager(tf.constant(sentences)).numpy(), refs["infer/default/default"],
                               rtol=1e-5, atol=1e-6)
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        graph = hub.Module(MODULE)
        assert isinstance(graph._impl, GraphModule) and isinstance(graph._impl, ModuleImpl)
        output = graph(sentences)
        session.run([tf.compat.v1.global_variables_initializer(),
                     tf.compat.v1.tables_initializer()])
        np.testing.assert_allclose(session.run(output), refs["infer/default/default"],
                                   rtol=1e-5, atol=1e-6)
        graph_shapes = _shapes(graph.variable_map)
    assert graph_shapes == _shapes(eager.variable_map)
    assert any(isinstance(value, list) and len(value) > 1 for value in graph_shapes.values())
