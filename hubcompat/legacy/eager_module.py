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
from hubcompat.legacy import writer
from hubcompat.legacy.graph_module import export_new_instance
from hubcompat.loader import load_tf1
from hubcompat.tf1 import hub_format


def _materialize(spec) -> str:
    """A folder for a spec built by create_module_spec (exported once, like TF1 would)."""
    path = os.path.join(tempfile.mkdtemp(prefix="hubcompat_spec_"), "module")
    export_new_instance(spec, path)
    return path


class EagerModule:
    """A module's variables, and calls of its signatures, eagerly or in a ``tf.function``
    (a :class:`~hubcompat.legacy.module_impl.ModuleImpl`)."""

    def __init__(self, spec, tags: frozenset[str], trainable: bool, name: str):
        self._spec = spec
        self.name = name
        path = spec.source or _materialize(spec)
        base = set(tags) - hub_format.TRAIN_TAGS
        self._training = bool(trainable and hub_format.TRAIN_TAG in tags
                              and base in spec.get_tags())
        adapter_tags = base if self._training else set(tags)
        with tf.init_scope():
            self._adapter = load_tf1(path, adapter_tags)
        self._descriptions = self._adapter.variable_descriptions
        by_name = self._adapter.variables_by_name
        self.variable_map: dict = hub_format.group_partitions(
            (desc.name, desc.checkpoint_key if desc.slice_offset is not None else None,
             desc.slice_offset, by_name[desc.name])
            for desc in self._descriptions)
        self.trainable_variables = list(self._adapter.trainable_variables)
        self.regularization_losses = list(self._adapter.regularization_losses)

    def check_graph(self) -> None:
        """Any graph will do: the variables live outside it."""

    def convert_inputs(self, given: dict, infos: dict) -> dict:
        return given  # the adapter converts and checks them

    def apply(self, signature: str, inputs: dict) -> dict:
        return self._adapter(inputs or None, training=self._training, signature=signature,
                             as_dict=True)

    def export(self, path: str, session=None) -> None:
        """Writes the module with the variables' current values (eagerly no session is needed)."""
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
