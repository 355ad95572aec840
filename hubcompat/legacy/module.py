"""``hub.Module`` of tensorflow_hub 0.15, on modern TensorFlow.

A Module picks its implementation once, when it is created, and delegates to
it (the :class:`~hubcompat.legacy.module_impl.ModuleImpl` interface): in graph
mode (``tf.compat.v1`` code with Sessions) a ``GraphModule`` instantiates the
module in the default graph exactly as tensorflow_hub did it; eagerly, or
inside a ``tf.function``, an ``EagerModule`` runs it through
:class:`~hubcompat.tf1.adapter.TF1ModuleAdapter`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import tensorflow as tf
from google.protobuf.message import Message

from hubcompat import errors
from hubcompat._tf_private import building_tpu_function, building_wrapped_function
from hubcompat.legacy import tensor_info
from hubcompat.legacy.eager_module import EagerModule
from hubcompat.legacy.graph_module import GraphModule
from hubcompat.legacy.module_impl import ModuleImpl
from hubcompat.legacy.module_spec import ModuleSpec, load_module_spec
from hubcompat.tf1.module_reader import ParsedTensorInfo

M = TypeVar("M", bound=Message)


def as_module_spec(spec: ModuleSpec | str | os.PathLike[str]) -> ModuleSpec:
    if isinstance(spec, ModuleSpec):
        return spec
    if isinstance(spec, str) or hasattr(spec, "__fspath__"):
        return load_module_spec(spec)
    raise errors.InputError(f"Unknown module spec type: {type(spec)!r}")


def _use_eager_backend() -> bool:
    if tf.executing_eagerly():
        return True
    # tf.compat.v1.wrap_function graphs take TF1 state (collections, lifted
    # variables, initializers), as in tensorflow_hub; tf.function graphs cannot.
    # Under a TPU replicate context the state goes to the outer graph (graph_module.py).
    return (tf.compat.v1.get_default_graph().building_function and not building_wrapped_function()
            and not building_tpu_function())


def _naming_the_module(error, spec, signature, input_infos):
    """``error`` as tensorflow_hub 0.15 words it, plus a note naming the module and
    what the signature takes, and those as attributes."""
    takes = ", ".join(f"{key}: {info.dtype.name} {_shape(info.get_shape())}"
                      for key, info in sorted(input_infos.items())) or "no inputs"
    source = spec.source or "(created by create_module_spec)"
    errors.add_note(error, f"Module {source}, signature {signature!r} takes {takes}.")
    error.handle, error.signature, error.available = spec.source, signature, sorted(input_infos)
    return error


def _shape(shape) -> str:
    if shape.rank is None:
        return "unknown"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


class Module:
    """A TF1 Hub module in the current graph (or, eagerly, a callable over its variables)."""

    def __init__(self, spec: ModuleSpec | str | os.PathLike[str], trainable: bool = False,
                 name: str = "module", tags: Iterable[str] | None = None) -> None:
        self._spec = as_module_spec(spec)
        self._trainable = trainable
        self._tags = set(tags or [])
        key = self._spec.checked_tags(tags)
        implementation: type[ModuleImpl] = EagerModule if _use_eager_backend() else GraphModule
        try:
            self._impl: ModuleImpl = implementation(self._spec, key, trainable, name)
        except errors.UnsupportedGraphError as e:
            raise errors.unsupported_in(e, self._spec.source or "(created by create_module_spec)"
                                        ) from None

    # AutoGraph cannot transform the implementation ("Please report this to the
    # TensorFlow team" in a user's tf.function, issue 21), and nothing here branches
    # on a tensor.
    @tf.autograph.experimental.do_not_convert
    def __call__(self, inputs: Any = None, _sentinel: None = None, signature: str | None = None,
                 as_dict: bool | None = None) -> Any:
        """Applies ``signature`` (default "default") to ``inputs``; see tensorflow_hub 0.15."""
        if _sentinel is not None:
            raise errors.InputTypeError("Pass signature= and as_dict= by name.")
        self._impl.check_graph()
        signature = signature or "default"
        input_infos = self._spec.get_input_info_dict(signature, self._tags)
        output_infos = self._spec.get_output_info_dict(signature, self._tags)
        for kind, infos in (("input", input_infos), ("output", output_infos)):
            for key, info in sorted(infos.items()):
                if not info.is_supported_type:
                    raise errors.InputError(
                        f"Signature {signature!r} expects a {info.type_spec} for {kind} {key!r}, "
                        "which is not supported.")
        try:
            given = tensor_info.prepare_dict_inputs(inputs, input_infos)
            converted = self._impl.convert_inputs(given, input_infos)
        except errors.InputTypeError as e:
            raise _naming_the_module(e, self._spec, signature, input_infos) from None
        outputs = self._impl.apply(signature, converted)
        if as_dict:  # in tensorflow_hub's order (output_infos')
            return {key: outputs[key] for key in output_infos if key in outputs}
        if "default" not in outputs:
            raise errors.InputTypeError("There is no output named 'default'. Use as_dict=True.")
        return outputs["default"]

    def get_signature_names(self) -> list[str]:
        return self._spec.get_signature_names(tags=self._tags)

    def get_input_info_dict(self, signature: str | None = None) -> dict[str, ParsedTensorInfo]:
        return self._spec.get_input_info_dict(signature=signature, tags=self._tags)

    def get_output_info_dict(self, signature: str | None = None) -> dict[str, ParsedTensorInfo]:
        return self._spec.get_output_info_dict(signature=signature, tags=self._tags)

    def get_attached_message(self, key: str, message_type: type[M], required: bool = False
                             ) -> M | None:
        return self._spec.get_attached_message(key, message_type, tags=self._tags,
                                               required=required)

    def export(self, path: str | os.PathLike[str], session: Any) -> None:
        """Writes the module, with the variable values held by ``session``, to ``path``."""
        try:
            self._impl.export(os.fspath(path), session)
        except errors.UnsupportedGraphError as e:
            raise errors.unsupported_in(e, self._spec.source or "(created by create_module_spec)"
                                        ) from None

    @property
    def variable_map(self) -> dict:
        """Module-relative variable names -> variables (a list for partitioned ones)."""
        return self._impl.variable_map

    @property
    def variables(self) -> list:
        result = []
        for _, value in sorted(self.variable_map.items()):
            result.extend(value if isinstance(value, list) else [value])
        return result

    # --- the TF2 reusable SavedModel interface (eagerly; graph mode as hub 0.15) ---

    @property
    def trainable_variables(self) -> list:
        return self._impl.trainable_variables if self._trainable else []

    @property
    def regularization_losses(self) -> list:
        """Eagerly: no-argument callables, one per loss (graph mode: the collection)."""
        return self._impl.regularization_losses if self._trainable else []


def _placeholders(infos: dict) -> dict:
    result = {}
    for name, info in infos.items():
        shape = info.get_shape()
        if info.is_sparse:
            result[name] = tf.compat.v1.sparse_placeholder(
                info.dtype, shape=None if shape.rank is None else shape.as_list(), name=name)
        elif isinstance(info.type_spec, tf.RaggedTensorSpec):
            spec = info.type_spec
            result[name] = tf.compat.v1.ragged.placeholder(
                info.dtype, spec.ragged_rank, shape[spec.ragged_rank + 1:], name=name)
        else:
            result[name] = tf.compat.v1.placeholder(info.dtype, shape, name=name)
    return result


@contextlib.contextmanager
def eval_function_for_module(spec: ModuleSpec | str | os.PathLike[str],
                             tags: Iterable[str] | None = None) -> Iterator[Callable[..., Any]]:
    """Yields ``f(inputs, signature=, as_dict=)`` computing the module's outputs as numpy values."""
    original = tf.compat.v1.get_default_graph()
    with tf.Graph().as_default():
        module = Module(spec, tags=tags)
        feeds, fetches = {}, {}
        for signature in module.get_signature_names():
            with tf.compat.v1.variable_scope(signature):
                feeds[signature] = _placeholders(module.get_input_info_dict(signature))
                fetches[signature] = module(feeds[signature], signature=signature, as_dict=True)
        with tf.compat.v1.train.SingularMonitoredSession() as session:

            def evaluate(inputs=None, _sentinel=None, signature=None, as_dict=None):
                signature = signature or "default"
                placeholders = feeds[signature]
                given = tensor_info.prepare_dict_inputs(inputs, placeholders)
                feed_dict = {placeholders[key]: value for key, value in given.items()}
                outputs = fetches[signature]
                if not as_dict:
                    if "default" not in outputs:
                        raise errors.InputTypeError(
                            "There is no output named 'default'. Use as_dict=True.")
                    outputs = outputs["default"]
                return session.run(outputs, feed_dict=feed_dict)

            with original.as_default():
                yield evaluate
