"""TF1 update ops (batch-norm moving averages) under a ``tf.distribute`` strategy.

A TF1 graph's update ops assign to a variable's handle directly. Under
``MirroredStrategy`` or ``MultiWorkerMirroredStrategy`` each replica runs the
graph on its own copy of the variables, so those assigns would keep one moving
mean per replica (and per worker). Instead, for variables created under a
strategy, the training signature returns the value each assign would write;
hubcompat averages those values over all replicas in one all-reduce per call
and writes the result to every copy (:func:`apply`; integer variables go
through their aggregation, :func:`variable_aggregation`).

For an exponential moving average (``AssignSub(v, (v - x) * decay)``) the mean
of the replicas' updates gives the mean of the replicas' moving averages,
which is what tf-keras' ``BatchNormalization`` reads under a strategy (its
moving statistics are ``ON_READ`` / ``MEAN``); here every copy holds it
(docs/distributed.md).
"""

from __future__ import annotations

import tensorflow as tf

from hubcompat import errors

# Resource assign op -> the tf.Variable method doing the same (and back: _RAW_ASSIGNS).
_ASSIGN_METHODS = {
    "AssignVariableOp": "assign",
    "AssignAddVariableOp": "assign_add",
    "AssignSubVariableOp": "assign_sub",
}
# Ops an update op may reach its assigns through (e.g. the re-read after a
# converted ref-variable Assign, or a tf.group).
_PASS_THROUGH = frozenset({"ReadVariableOp", "Identity", "NoOp"})


def variable_aggregation(dtype: tf.DType) -> tf.VariableAggregation:
    """How a module variable combines the replicas' writes under a strategy.

    Floating variables take the mean (moving statistics, as Keras' batch
    norm); integer ones (step counters, which every replica advances alike)
    take the first replica's write. Without a strategy this changes nothing.
    """
    if tf.as_dtype(dtype).is_floating:
        return tf.VariableAggregation.MEAN
    return tf.VariableAggregation.ONLY_FIRST_REPLICA


def split_update_ops(update_ops: list, distributed: dict,
                     module_path: str) -> tuple[list, list]:
    """``(plain_ops, assigns)`` for the update ops of a training signature.

    ``distributed`` maps each graph tensor standing for a distributed
    variable's handle (``tensor.ref()``) to that variable. Each assign to such
    a variable becomes ``(method, variable, value_tensor)`` in ``assigns``;
    update ops touching no distributed variable stay in ``plain_ops``.
    """
    plain, assigns = [], []
    for op in update_ops:
        found = _assigns_of(op, distributed, module_path)
        if found is None:
            plain.append(op)
        else:
            assigns.extend(found)
    return plain, assigns


def _assigns_of(op, distributed, module_path):
    """The distributed assigns ``op`` stands for, or None if it touches no distributed variable."""
    if op.type in _ASSIGN_METHODS:
        variable = distributed.get(op.inputs[0].ref())
        if variable is None:
            return None
        return [(_ASSIGN_METHODS[op.type], variable, op.inputs[1])]
    if op.type in _PASS_THROUGH:
        found = []
        for dependency in list(op.control_inputs) + [t.op for t in op.inputs]:
            if dependency.type == "Placeholder":  # the variable's handle itself
                continue
            sub = _assigns_of(dependency, distributed, module_path)
            if sub is not None:
                found.extend(sub)
        return found or None
    if any(t.ref() in distributed for t in op.inputs):
        raise errors.UnsupportedGraphError(
            f"Module {module_path!r}: update op {op.name!r} is a {op.type}, which hubcompat "
            "cannot aggregate across tf.distribute replicas (it handles AssignVariableOp, "
            "AssignAddVariableOp and AssignSubVariableOp). Fine-tune this module without a "
            "strategy, or with training=False under it."
        )
    return None


def apply(assigns: list, values: list) -> None:
    """Writes each assign's value, combined across replicas, to every copy of its variable.

    In replica context the floating values are averaged in one batched
    all-reduce, and each replica writes the (now equal) result to its own
    copy; other dtypes go through the variable's own aggregation. In
    cross-replica context (or outside the strategy) the one value is written
    to every copy.
    """
    context = tf.distribute.get_replica_context()
    pairs = list(zip(assigns, values))
    if pairs and context is not None and context.strategy is pairs[0][0][1].distribute_strategy:
        floating = [(a, v) for a, v in pairs if a[1].dtype.is_floating]
        if floating:
            reduced = context.all_reduce(
                tf.distribute.ReduceOp.MEAN, [v for _, v in floating])
            for ((method, variable, _), _), value in zip(floating, reduced):
                _write_local_copy(method, variable, value)
        pairs = [(a, v) for a, v in pairs if not a[1].dtype.is_floating]
    for (method, variable, _), value in pairs:
        getattr(variable, method)(value)


_RAW_ASSIGNS = {
    "assign": "AssignVariableOp",
    "assign_add": "AssignAddVariableOp",
    "assign_sub": "AssignSubVariableOp",
}


def _write_local_copy(method, variable, value) -> None:
    # variable.handle is this replica's copy in replica context (_tf_private.current_handle).
    getattr(tf.raw_ops, _RAW_ASSIGNS[method])(resource=variable.handle, value=value)
