"""The state a TF1 module's graphs share: variables, lookup tables and assets.

hubcompat owns this state as ordinary TF2 objects (``tf.Variable``,
``TrackableResource``, ``tf.saved_model.Asset``), so that every tag-set graph
imported onto it computes with the same values, ``GradientTape`` sees the
variables, and ``tf.saved_model.save`` can re-export them.
"""

from __future__ import annotations

import itertools

import numpy as np
import tensorflow as tf

from hubcompat import errors
from hubcompat._compat import auto_trackable_base
from hubcompat.tf1.distributed_updates import variable_aggregation
from hubcompat.tf1.module_reader import ModuleReader, VariableDescription

_table_ids = itertools.count()


def _read_checkpoint_values(
    reader: ModuleReader, descriptions: list[VariableDescription]
) -> list[np.ndarray]:
    if not descriptions:
        return []
    prefix = reader.checkpoint_prefix
    if prefix is None:
        raise errors.CorruptModuleError(
            f"Module {reader.path!r} has variables but no checkpoint "
            "(variables/variables.index). Fetch the module again."
        )
    checkpoint = tf.train.load_checkpoint(prefix)
    known = checkpoint.get_variable_to_shape_map()
    values = []
    for desc in descriptions:
        if desc.checkpoint_key not in known:
            raise errors.CorruptModuleError(
                f"Module {reader.path!r}: variable {desc.name!r} is not in its checkpoint "
                f"(looked for key {desc.checkpoint_key!r}). Fetch the module again."
            )
        value = checkpoint.get_tensor(desc.checkpoint_key)
        if desc.slice_offset is not None:
            index = tuple(
                slice(start, start + size)
                for start, size in zip(desc.slice_offset, desc.shape.as_list())
            )
            value = value[index]
        values.append(value)
    return values


class TableResource(tf.saved_model.experimental.TrackableResource):
    """A lookup table of the module, created outside its graphs.

    ``initializer`` is set once the graph holding the table's initializer op
    has been imported; it is called with this table's handle, so a
    re-exported SavedModel re-runs it on its own table when loaded.
    """

    _SUPPORTED = ("HashTableV2", "MutableHashTableV2")

    def __init__(self, node_def, module_path: str):
        if node_def.op not in self._SUPPORTED:
            raise errors.UnsupportedGraphError(
                f"Module {module_path!r} creates a {node_def.op} (node {node_def.name!r}); "
                f"hubcompat supports {', '.join(self._SUPPORTED)} tables."
            )
        self._op = node_def.op
        self._key_dtype = tf.as_dtype(node_def.attr["key_dtype"].type)
        self._value_dtype = tf.as_dtype(node_def.attr["value_dtype"].type)
        # Never reuse the graph's shared_name: two loads must not share a table.
        self._shared_name = f"hubcompat_table_{next(_table_ids)}"
        self.initializer = None
        super().__init__()

    def _create_resource(self):
        make = getattr(tf.raw_ops, self._op)
        return make(
            key_dtype=self._key_dtype,
            value_dtype=self._value_dtype,
            shared_name=self._shared_name,
            use_node_name_sharing=False,
        )

    def _initialize(self):
        if self.initializer is None:
            return tf.no_op()
        return self.initializer(self.resource_handle)


class ModuleState(auto_trackable_base()):
    """Variables, tables and assets of one loaded module, shared by all its graphs."""

    def __init__(self, reader: ModuleReader, tags):
        super().__init__()
        descriptions = reader.variables(tags)
        trainable_names = reader.trainable_variable_names(tags)
        values = _read_checkpoint_values(reader, descriptions)
        with tf.init_scope():
            self.variables = [
                tf.Variable(value, name=desc.name, trainable=desc.name in trainable_names,
                            dtype=desc.dtype, shape=desc.shape,
                            aggregation=variable_aggregation(desc.dtype))
                for desc, value in zip(descriptions, values)
            ]
        self._variable_names = [desc.name for desc in descriptions]
        self.trainable_variables = [
            v for v, name in zip(self.variables, self._variable_names) if name in trainable_names
        ]
        self.assets = {}
        self.tables = {}

    @property
    def variables_by_name(self) -> dict[str, tf.Variable]:
        return dict(zip(self._variable_names, self.variables))

    def asset(self, tensor_name: str, filename: str) -> tf.saved_model.Asset:
        if tensor_name not in self.assets:
            self.assets[tensor_name] = tf.saved_model.Asset(filename)
        return self.assets[tensor_name]

    def table(self, node_def, module_path: str) -> TableResource:
        if node_def.name not in self.tables:
            self.tables[node_def.name] = TableResource(node_def, module_path)
        return self.tables[node_def.name]
