"""hub.Module under a TPU replicate context: its state goes to the outer graph.

tensorflow_hub's scenario (native_module_test's testTPUModuleWithWrapFunc): a
module created and applied twice inside ``tf.compat.v1.wrap_function`` while
a control-flow context named ``TPUReplicateContext`` is active (what
TPUEstimator and ``tpu.replicate`` enter). tensorflow_hub then creates the
variables under ``tf.init_scope()``, so the Session's
``global_variables_initializer`` initialises them.
"""

from __future__ import annotations

import tensorflow as tf
from tensorflow.python.ops.control_flow_ops import ControlFlowContext

import hubcompat as hub


class TPUReplicateContext(ControlFlowContext):
    """Stands in for TPU's context: only its class name is looked at."""

    def __init__(self):
        super().__init__()
        self._name = "TPUReplicateContext"

    def AddOp(self, _):
        pass

    def AddValue(self, x):
        return x

    def to_control_flow_context_def(self, context_def, export_scope=None):
        super().to_control_flow_context_def(context_def, export_scope)


def stateful_module_fn():
    x = tf.compat.v1.placeholder(dtype=tf.float32, name="x")
    y = tf.compat.v1.placeholder(dtype=tf.float32, name="y")  # feeds an op no output needs
    r = tf.compat.v1.get_variable("rv_var123", shape=[], use_resource=True,
                                  initializer=tf.compat.v1.constant_initializer(10.0))
    t = tf.compat.v1.get_variable("rv_var456", shape=[], use_resource=True,
                                  initializer=tf.compat.v1.constant_initializer(10.0))
    t.assign(y)
    hub.add_signature(inputs={"x": x}, outputs=x + r)


def test_module_state_is_created_in_the_outer_graph_under_wrap_function():
    spec = hub.create_module_spec(stateful_module_fn)

    # The TF1 oracle: the same module in a plain graph.
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        module = hub.Module(spec, trainable=True)
        outputs = [module(9.0), module(6.0)]
        session.run(tf.compat.v1.global_variables_initializer())
        want = session.run(outputs)

    def import_computation(first, second):
        context = TPUReplicateContext()
        context.Enter()
        module = hub.Module(spec, trainable=True)
        return [module(first), module(second)]

    with tf.Graph().as_default() as graph, tf.compat.v1.Session() as session:
        wrapped = tf.compat.v1.wrap_function(
            import_computation, [tf.TensorSpec((), tf.float32), tf.TensorSpec((), tf.float32)])
        session.run(tf.compat.v1.global_variables_initializer())
        got = session.run(wrapped(9.0, 6.0))
        names = sorted(v.op.name for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES))

    assert got == want == [19.0, 16.0]
    assert names == ["module/rv_var123", "module/rv_var456"]  # in the Session's graph


def control_dependency_module_fn():
    const = tf.constant(1.0, name="dependency_op")
    with tf.control_dependencies([const]):
        result = tf.constant(3.0) + tf.constant(2.0)
    hub.add_signature(inputs={}, outputs=result)


def test_defun_under_tpu_context_prunes_to_the_outputs_and_keeps_control_dependencies():
    """tensorflow_hub's testTPUModuleWithDefun and testTPUModuleDoesntPruneControlDependencies."""
    from tensorflow.python.framework import function

    spec = hub.create_module_spec(stateful_module_fn)

    @function.Defun()
    def apply_twice(first, second):
        TPUReplicateContext().Enter()
        module = hub.Module(spec, name="module_", trainable=True)
        return [module(first), module(second)]

    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        outputs = apply_twice(9.0, 6.0)
        session.run(tf.compat.v1.global_variables_initializer())
        assert list(session.run(outputs)) == [19.0, 16.0]  # y, fed nowhere, was pruned away

    @function.Defun()
    def constant():
        TPUReplicateContext().Enter()
        return hub.Module(hub.create_module_spec(control_dependency_module_fn), name="module_")()

    with tf.Graph().as_default() as graph, tf.compat.v1.Session() as session:
        assert session.run(constant()) == 5.0
        graph.get_operation_by_name("module_/dependency_op")  # the state graph, in the outer graph
