"""The state a TF1 module's graphs share: variables, lookup tables and assets.

hubcompat owns this state as ordinary TF2 objects (``tf.Variable``,
``TrackableResource``, ``tf.saved_model.Asset``), so that every tag-set graph
imported onto it computes with the same values, ``GradientTape`` sees the
variables, and ``tf.saved_model.save`` can re-export them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from hubcompat import errors
from hubcompat._tf_private import AutoTrackable
from hubcompat.tf1.distributed_updates import variable_aggregation
from hubcompat.tf1.module_reader import ModuleReader, VariableDescription, tf_error_text

_table_ids = itertools.count()


def restore_values(reader: ModuleReader, descriptions: list[VariableDescription]) -> list:
    """The checkpoint values of ``descriptions`` as tensors made by one RestoreV2 op.

    Each partition is read as its slice of the stored variable. Eagerly the
    values are read now; a variable created from one takes over its buffer
    (one copy in memory). In a graph, they are the op's outputs: a
    variable's initializer then restores it when a Session runs it.
    """
    index = reader.checked_checkpoint(descriptions)
    if index is None:
        return []
    try:
        return tf.raw_ops.RestoreV2(
            prefix=index.prefix,
            tensor_names=[desc.checkpoint_key for desc in descriptions],
            shape_and_slices=[desc.shape_and_slice for desc in descriptions],
            dtypes=[desc.dtype for desc in descriptions],
        )
    except tf.errors.OpError as e:  # e.g. a crc32c mismatch in a tensor's bytes
        raise errors.CorruptModuleError(
            f"Module {reader.path!r}: its variables cannot be read from "
            f"{index.describe_data_files()} ({tf_error_text(e)}). The checkpoint is damaged. "
            "Fetch the module again."
        ) from e


def _restore_one(reader: ModuleReader, desc: VariableDescription):
    return restore_values(reader, [desc])[0]


class TableResource(tf.saved_model.experimental.TrackableResource):
    """A lookup table of the module, created outside its graphs.

    ``initializer`` is set once the graph holding the table's initializer op
    has been imported; it is called with this table's handle, so a
    re-exported SavedModel re-runs it on its own table when loaded.
    """

    _SUPPORTED = ("HashTableV2", "MutableHashTableV2")

    def __init__(self, node_def: Any, module_path: str) -> None:
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
        # (handle) -> the op that fills the table; set by ImportedGraph.initialize_tables
        self.initializer: Callable[[Any], Any] | None = None
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


class ModuleState(AutoTrackable):
    """Variables, tables and assets of one loaded module, shared by all its graphs."""

    def __init__(self, reader: ModuleReader, tags: frozenset[str]) -> None:
        super().__init__()
        descriptions = reader.variables(tags)
        trainable_names = reader.trainable_variable_names(tags)
        with tf.init_scope():
            if tf.executing_eagerly():
                initial_values = list(restore_values(reader, descriptions))
            else:
                # TF1 graph mode: each initializer is its own restore op, so no
                # value is ever a constant of the GraphDef (no 2 GB limit).
                reader.checked_checkpoint(descriptions)
                initial_values = [functools.partial(_restore_one, reader, desc)
                                  for desc in descriptions]
            self.variables: list[tf.Variable] = []
            while initial_values:
                desc = descriptions[len(self.variables)]
                self.variables.append(tf.Variable(
                    initial_values.pop(0), name=desc.name, dtype=desc.dtype, shape=desc.shape,
                    trainable=desc.name in trainable_names,
                    aggregation=variable_aggregation(desc.dtype),
                    # Inside a tf.function, tf.function's variable creator would
                    # lift the variable (and forbid it on the next trace);
                    # tf.saved_model.load's variables skip it too.
                    experimental_enable_variable_lifting=False))
            # The variables now own the restored buffers: no tensor is left
            # holding them, so the first assign updates in place, not a copy.
        self._reader, self._descriptions = reader, descriptions
        self._variable_names = [desc.name for desc in descriptions]
        self.trainable_variables = [
            v for v, name in zip(self.variables, self._variable_names) if name in trainable_names
        ]
        self.assets: dict[str, tf.saved_model.Asset] = {}
        self.tables: dict[str, TableResource] = {}

    def restore(self) -> None:
        """Puts the checkpoint's values back into the variables, one at a time
        (at most one variable's worth of memory more)."""
        for variable, desc in zip(self.variables, self._descriptions):
            variable.assign(_restore_one(self._reader, desc))

    @property
    def descriptions(self) -> list[VariableDescription]:
        """What the module's files say about each variable, in the order of ``variables``."""
        return list(self._descriptions)

    @property
    def variables_by_name(self) -> dict[str, tf.Variable]:
        return dict(zip(self._variable_names, self.variables))

    def asset(self, tensor_name: str, filename: str) -> tf.saved_model.Asset:
        if tensor_name not in self.assets:
            self.assets[tensor_name] = tf.saved_model.Asset(filename)
        return self.assets[tensor_name]

    def table(self, node_def: Any, module_path: str) -> TableResource:
        if node_def.name not in self.tables:
            self.tables[node_def.name] = TableResource(node_def, module_path)
        return self.tables[node_def.name]
