"""Feature columns over TF1 Hub modules (``hub.text_embedding_column`` and friends).

They plug into ``tf.compat.v1.feature_column.input_layer`` (graph mode) and
``DenseFeatures``-style code through TensorFlow's feature-column base classes,
as tensorflow_hub 0.15's did; each creates a :class:`Module` for the column.
"""

from __future__ import annotations

import collections

import tensorflow as tf

from hubcompat import errors
from hubcompat._tf_private import feature_column_v1 as fc_v1
from hubcompat._tf_private import feature_column_v2 as fc_v2
from hubcompat.keras_layer import KerasLayer
from hubcompat.legacy import image_util
from hubcompat.legacy.module import Module, as_module_spec

_RESOURCE = "module"


class _KeyedColumn:
    """What every hub column shares: one input key, and the name tensorflow_hub gave it."""

    @property
    def _is_v2_column(self):
        return True

    @property
    def parents(self):
        return [self.key]

    @property
    def name(self):
        key = self.key if isinstance(self.key, str) else self.key.name
        return f"{key}_hub_module_embedding"


class _DenseColumn(_KeyedColumn, fc_v1._DenseColumn, fc_v2.DenseColumn):  # private TF/hub API (as tensorflow_hub)
    """Shared plumbing: one input key, a module from ``module_spec``, float32 output."""

    @property
    def dtype(self):
        return tf.float32

    def _transform_feature(self, inputs):
        return inputs.get(self.key)

    def transform_feature(self, transformation_cache, state_manager):
        return transformation_cache.get(self.key, state_manager)

    @property
    def _parse_example_spec(self):
        return self.parse_example_spec

    @property
    def _variable_shape(self):
        return self.variable_shape

    @property
    def variable_shape(self):
        return self.module_spec.get_output_info_dict()["default"].get_shape()[1:]

    def get_config(self):
        if not isinstance(self[1], str):
            raise errors.UnsupportedGraphError(
                f"Only a column built from a string module handle has a config; got "
                f"{type(self[1]).__name__}.")
        return dict(zip(self._fields, self))

    @classmethod
    def from_config(cls, config, custom_objects=None, columns_by_name=None):
        return cls(**dict(config))


def _default_output_issues(spec, signature: str, batch: str, any_batch_size: bool) -> list[str]:
    """What is wrong with the default signature's float32 ``[batch, K]`` "default" output
    (worded as tensorflow_hub 0.15 did for each column: ``signature``, ``batch``)."""
    outputs = spec.get_output_info_dict()
    if "default" not in outputs:
        return [f"Module {signature} signature must have a 'default' output."]
    shape = outputs["default"].get_shape()
    if not (outputs["default"].dtype == tf.float32 and shape.rank == 2 and shape.as_list()[1]
            and (any_batch_size or not shape.as_list()[0])):
        return [f"Module {signature} signature must have a 'default' output of "
                f"tf.Tensor(shape=({batch},K), dtype=float32)."]
    return []


def _check_text_embedding(spec) -> None:
    issues = []
    inputs = spec.get_input_info_dict()
    if len(inputs) != 1:
        issues.append("Module default signature must require only one input")
    else:
        (info,) = inputs.values()
        if not (info.dtype == tf.string and info.get_shape().as_list() == [None]
                if info.get_shape().rank is not None else False):
            issues.append("Module default signature must have only one input "
                          "tf.Tensor(shape=(?,), dtype=string)")
    issues.extend(_default_output_issues(spec, "default", "?", any_batch_size=False))
    if issues:
        raise errors.InputError(f"Module is not a text-embedding: {issues!r}")


class _SpecPathColumn(_DenseColumn):
    """A column whose ``module_spec_path`` field is loaded, and checked, when it is made."""

    def __init__(self, *args, **kwargs):  # the namedtuple's fields: __new__ took them
        self.module_spec = as_module_spec(self.module_spec_path)
        self._check_module_spec(self.module_spec)
        super().__init__()

    def _check_module_spec(self, spec):
        """Raises InputError, worded as tensorflow_hub 0.15, if ``spec`` cannot serve the column."""
        raise NotImplementedError


class _TextEmbeddingColumn(
        _SpecPathColumn, collections.namedtuple("_ModuleEmbeddingColumn",
                                                ("key", "module_spec_path", "trainable"))):
    def _check_module_spec(self, spec):
        _check_text_embedding(spec)

    def create_state(self, state_manager):
        trainable = self.trainable and state_manager._trainable  # private TF API (as tensorflow_hub)
        state_manager.add_resource(self, _RESOURCE, Module(self.module_spec, trainable=trainable))

    @property
    def parse_example_spec(self):
        return {self.key: tf.compat.v1.FixedLenFeature([1], tf.string)}

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        module = Module(self.module_spec, trainable=self.trainable and trainable)
        return module(tf.reshape(inputs.get(self), [-1]))

    def get_dense_tensor(self, transformation_cache, state_manager):
        module = state_manager.get_resource(self, _RESOURCE)
        return module(tf.reshape(transformation_cache.get(self, state_manager), [-1]))


def text_embedding_column(key, module_spec, trainable=False):
    """A dense column: ``Module(module_spec)(text)`` for a string feature ``key``."""
    return _TextEmbeddingColumn(key=key, module_spec_path=module_spec, trainable=trainable)


class _SparseTextEmbeddingColumn(
        _DenseColumn, collections.namedtuple(
            "_ModuleEmbeddingColumn",
            ("key", "combiner", "module_spec", "default_value", "trainable"))):
    @property
    def parse_example_spec(self):
        return {self.key: tf.compat.v1.VarLenFeature(tf.string)}

    def _embed(self, text_batch, trainable):
        module = Module(self.module_spec, trainable=self.trainable and trainable)
        if self.default_value is not None:
            text_batch = tf.sparse.fill_empty_rows(text_batch, self.default_value)[0]
        embedded = module(text_batch.values)
        ids = tf.SparseTensor(
            indices=text_batch.indices,
            values=tf.range(tf.shape(text_batch.indices)[0], dtype=tf.int32),
            dense_shape=text_batch.dense_shape)
        return tf.nn.embedding_lookup_sparse(params=embedded, sp_ids=ids, sp_weights=None,
                                             combiner=self.combiner)

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        return self._embed(inputs.get(self), self.trainable and trainable)

    def get_dense_tensor(self, transformation_cache, state_manager):
        return self._embed(transformation_cache.get(self, state_manager), self.trainable)


def sparse_text_embedding_column(key, module_spec, combiner, default_value, trainable=False):
    """Embeds each token of a sparse string feature with the module, then combines them."""
    module_spec = as_module_spec(module_spec)
    _check_text_embedding(module_spec)
    if combiner not in ("mean", "sqrtn", "sum"):
        raise errors.InputError(f"combiner must be 'mean', 'sqrtn' or 'sum': {combiner!r}")
    return _SparseTextEmbeddingColumn(key=key, module_spec=module_spec, trainable=trainable,
                                      default_value=default_value, combiner=combiner)


def _check_image_embedding(spec, check_image_size: bool) -> None:
    issues = []
    inputs = spec.get_input_info_dict()
    if list(inputs) != ["images"] or inputs["images"].dtype != tf.float32:
        issues.append("Module 'default' signature must require a single input, which must "
                      "have type float32 and name 'images'.")
    elif check_image_size:
        try:
            image_util.get_expected_image_size(spec)
        except ValueError as e:
            issues.append("Module does not support hub.get_expected_image_size(); "
                          f"original error was:\n{e}")
    issues.extend(_default_output_issues(spec, "'default'", "_", any_batch_size=True))
    if issues:
        raise errors.InputError(f"Module is not usable as image embedding: {issues!r}")


class _ImageEmbeddingColumn(
        _SpecPathColumn, collections.namedtuple("_ImageEmbeddingColumn",
                                                ("key", "module_spec_path", "image_size"))):
    def _check_module_spec(self, spec):
        _check_image_embedding(spec, check_image_size=self.image_size is None)

    def create_state(self, state_manager):
        state_manager.add_resource(self, _RESOURCE, Module(self.module_spec))

    @property
    def parse_example_spec(self):
        height, width = self.image_size or image_util.get_expected_image_size(self.module_spec)
        return {self.key: tf.compat.v1.FixedLenFeature([height, width, 3], tf.float32)}

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        return Module(self.module_spec)({"images": inputs.get(self)})

    def get_dense_tensor(self, transformation_cache, state_manager):
        module = state_manager.get_resource(self, _RESOURCE)
        return module({"images": transformation_cache.get(self, state_manager)})


def image_embedding_column(key, module_spec, image_size=None):
    """A dense column: ``Module(module_spec)({"images": pixels})`` for a float32 image feature."""
    if isinstance(image_size, list):
        image_size = tuple(image_size)
    return _ImageEmbeddingColumn(key=key, module_spec_path=module_spec, image_size=image_size)


class _TextEmbeddingColumnV2(
        _KeyedColumn, fc_v2.DenseColumn, collections.namedtuple(
            "_ModuleEmbeddingColumn", ("key", "module_path", "output_key", "trainable"))):
    """A text column over a TF2 SavedModel, through ``hubcompat.KerasLayer``."""

    def create_state(self, state_manager):
        trainable = self.trainable and state_manager._trainable  # private TF API (as tensorflow_hub)
        layer = KerasLayer(self.module_path, output_key=self.output_key,
                                     trainable=trainable)
        state_manager.add_resource(self, "hub_text_column_module", layer)

    def transform_feature(self, transformation_cache, state_manager):
        return transformation_cache.get(self.key, state_manager)

    @property
    def parse_example_spec(self):
        return {self.key: tf.compat.v1.FixedLenFeature([1], tf.string)}

    @property
    def variable_shape(self):
        layer = KerasLayer(self.module_path, output_key=self.output_key)
        return tf.TensorShape(layer(tf.constant([""])).shape[1:])

    def get_dense_tensor(self, transformation_cache, state_manager):
        layer = state_manager.get_resource(self, "hub_text_column_module")
        return layer(tf.reshape(transformation_cache.get(self, state_manager), [-1]))

    def get_config(self):
        return dict(zip(self._fields, self))

    @classmethod
    def from_config(cls, config, custom_objects=None, columns_by_name=None):
        return cls(**dict(config))


def text_embedding_column_v2(key, module_path, output_key=None, trainable=False):
    """A text column over a TF2 SavedModel (uses ``hubcompat.KerasLayer``)."""
    if not hasattr(fc_v2.StateManager, "has_resource"):
        raise errors.UnsupportedGraphError(
            "hub.text_embedding_column_v2 needs feature_column_v2.StateManager.has_resource, "
            "missing in this TensorFlow.")
    return _TextEmbeddingColumnV2(key=key, module_path=module_path, output_key=output_key,
                                  trainable=trainable)
