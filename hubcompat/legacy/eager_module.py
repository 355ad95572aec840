"""``hub.Module`` semantics in eager mode (and inside ``tf.function``).

tensorflow_hub 0.15 could not do this; hubcompat runs the module through
:class:`~hubcompat.tf1.adapter.TF1ModuleAdapter`. What differs from graph
mode, because there are no collections eagerly:

- ``Module(spec, trainable=True, tags={"train"})`` runs the ``{"train"}``
  graph and applies its update ops (batch-norm statistics) on every call,
  instead of adding them to ``UPDATE_OPS``;
- regularization losses are ``module.regularization_losses`` (callables);
- ``trainable_variables`` is empty unless ``trainable=True``.
"""

from __future__ import annotations

import os
import tempfile

import tensorflow as tf

from hubcompat import errors

TRAIN = "train"


def _materialize(spec) -> str:
    """A folder for a spec built by create_module_spec (exported once, like TF1 would)."""
    from hubcompat.legacy.module import Module

    folder = tempfile.mkdtemp(prefix="hubcompat_spec_")
    path = os.path.join(folder, "module")
    with tf.Graph().as_default():
        module = Module(spec)
        with tf.compat.v1.Session() as session:
            session.run([tf.compat.v1.global_variables_initializer(),
                         tf.compat.v1.tables_initializer()])
            module.export(path, session)
    return path


class EagerModule:
    def __init__(self, spec, trainable: bool, tags: set[str]):
        from hubcompat.loader import load_tf1

        self._spec = spec
        path = spec.source or _materialize(spec)
        base = set(tags) - {TRAIN}
        self._training = bool(trainable and TRAIN in tags and base in spec.get_tags())
        adapter_tags = base if self._training else set(tags)
        with tf.init_scope():
            self._adapter = load_tf1(path, adapter_tags)
        self._descriptions = self._adapter.variable_descriptions
        by_name = self._adapter.variables_by_name
        self.variable_map: dict = {}
        for desc in self._descriptions:
            var = by_name[desc.name]
            if desc.slice_offset is None:
                self.variable_map[desc.name] = var
            else:
                self.variable_map.setdefault(desc.checkpoint_key, []).append((desc.slice_offset, var))
        for key, value in self.variable_map.items():
            if isinstance(value, list):
                self.variable_map[key] = [var for _, var in sorted(value, key=lambda p: p[0])]
        self.trainable_variables = list(self._adapter.trainable_variables)
        self.regularization_losses = list(self._adapter.regularization_losses)

    def apply(self, signature: str, given: dict) -> dict:
        return self._adapter(given or None, training=self._training, signature=signature,
                             as_dict=True)

    def export(self, path: str) -> None:
        """Writes the module with the variables' current values (no session needed eagerly)."""
        from hubcompat.legacy import writer

        if not tf.executing_eagerly():
            raise errors.EagerModeError("Module.export of an eager Module must run eagerly.")
        by_name = self._adapter.variables_by_name

        def save_variables(prefix):
            names, slices, tensors = [], [], []
            for desc in self._descriptions:
                names.append(desc.checkpoint_key)
                slices.append(desc.shape_and_slice)
                tensors.append(by_name[desc.name].read_value())
            if names:
                tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=slices,
                                  tensors=tensors)

        writer.write_module(path, self._spec.meta_graphs, save_variables)
