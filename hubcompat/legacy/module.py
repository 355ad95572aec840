"""``hub.Module`` of tensorflow_hub 0.15, on modern TensorFlow.

In graph mode (``tf.compat.v1`` code with Sessions) a Module is instantiated
in the default graph exactly as tensorflow_hub did it (see graph_module.py).
Eagerly, or inside a ``tf.function``, the same object runs the module through
:class:`~hubcompat.tf1.adapter.TF1ModuleAdapter` (see eager_module.py).
"""

from __future__ import annotations

import contextlib

import tensorflow as tf

from hubcompat import errors
from hubcompat._tf_private import building_wrapped_function
from hubcompat.legacy import tensor_info
from hubcompat.legacy.module_spec import ModuleSpec, load_module_spec


def as_module_spec(spec) -> ModuleSpec:
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
    return tf.compat.v1.get_default_graph().building_function and not building_wrapped_function()


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

    def __init__(self, spec, trainable=False, name="module", tags=None):
        self._spec = as_module_spec(spec)
        self._trainable = trainable
        self._tags = set(tags or [])
        if self._tags not in self._spec.get_tags():
            available = [sorted(t) for t in self._spec.get_tags()]
            source = self._spec.source or "(created by create_module_spec)"
            raise errors.InputError(
                f"No such graph variant: tags={sorted(tags) if tags else tags!r}",  # as hub 0.15
                note=f"Module {source} has the tag sets {available}: pass one of them as "
                "tags= (None for the empty set).",
                handle=self._spec.source, tags=sorted(tags or []), available=available)
        self._eager = _use_eager_backend()
        if self._eager:
            from hubcompat.legacy.eager_module import EagerModule

            self._graph = None
            self._impl = EagerModule(self._spec, trainable, self._tags)
            self._name = name
            return
        from hubcompat.legacy.graph_module import GraphModule

        self._graph = tf.compat.v1.get_default_graph()
        state_scope = _unused_state_scope(name)
        self._name = state_scope.split("/")[-2]
        parent = "/".join(state_scope.split("/")[:-2])
        with tf.name_scope(parent + "/" if parent else ""):
            self._impl = GraphModule(self._spec, self._spec.meta_graph(self._tags),
                                     trainable, self._name)

    def __call__(self, inputs=None, _sentinel=None, signature=None, as_dict=None):
        """Applies ``signature`` (default "default") to ``inputs``; see tensorflow_hub 0.15."""
        if _sentinel is not None:
            raise errors.InputTypeError("Pass signature= and as_dict= by name.")
        if not self._eager and self._graph is not tf.compat.v1.get_default_graph():
            raise errors.GraphMismatchError(
                "Module must be applied in the graph it was instantiated for.")
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
            converted = None if self._eager else tensor_info.convert_inputs(given, input_infos)
        except errors.InputTypeError as e:
            raise _naming_the_module(e, self._spec, signature, input_infos) from None
        if self._eager:
            outputs = self._impl.apply(signature, given)
        else:
            name = f"{self._name}_apply_{signature.replace(':', '_')}"
            outputs = self._impl.apply(signature, converted, name)
        if as_dict:
            return outputs
        if "default" not in outputs:
            raise errors.InputTypeError("There is no output named 'default'. Use as_dict=True.")
        return outputs["default"]

    def get_signature_names(self):
        return self._spec.get_signature_names(tags=self._tags)

    def get_input_info_dict(self, signature=None):
        return self._spec.get_input_info_dict(signature=signature, tags=self._tags)

    def get_output_info_dict(self, signature=None):
        return self._spec.get_output_info_dict(signature=signature, tags=self._tags)

    def get_attached_message(self, key, message_type, required=False):
        return self._spec.get_attached_message(key, message_type, tags=self._tags,
                                               required=required)

    def export(self, path, session):
        """Writes the module, with the variable values held by ``session``, to ``path``."""
        if self._eager:
            self._impl.export(path)
            return
        if self._graph is not tf.compat.v1.get_default_graph():
            raise errors.GraphMismatchError(
                "default graph differs from the graph where the module was instantiated.")
        if self._graph is not session.graph:
            raise errors.GraphMismatchError(
                "session graph differs from the graph where the module was instantiated.")
        self._impl.export(path, session)

    @property
    def variable_map(self):
        """Module-relative variable names -> variables (a list for partitioned ones)."""
        return self._impl.variable_map

    @property
    def variables(self):
        result = []
        for _, value in sorted(self.variable_map.items()):
            result.extend(value if isinstance(value, list) else [value])
        return result

    # --- eager extras (the TF2 reusable SavedModel interface) -----------------

    @property
    def trainable_variables(self):
        if not self._trainable:
            return []
        return self._impl.trainable_variables if self._eager else [
            v for v in self.variables if v in tf.compat.v1.trainable_variables()]

    @property
    def regularization_losses(self):
        """Eagerly: no-argument callables, one per loss (graph mode: the collection)."""
        if not self._trainable:
            return []
        if self._eager:
            return self._impl.regularization_losses
        return tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES,
                                           scope=self._name + "/")


def _unused_state_scope(name: str) -> str:
    """A fresh variable scope for the module's state whose name scope is unused too."""
    outer = tf.compat.v1.get_variable_scope().name
    with tf.name_scope(outer + "/" if outer else ""):
        with tf.compat.v1.variable_scope(None, default_name=name,
                                         auxiliary_name_scope=False) as scope:
            state_scope = scope.name + "/"
        graph = tf.compat.v1.get_default_graph()
        if graph.unique_name(name, False) + "/" != state_scope:
            raise errors.GraphMismatchError(
                f"variable_scope {state_scope} was unused but the corresponding name_scope "
                "was already taken.")
    return state_scope


def export_spec_from_checkpoint(spec, path, checkpoint_path, name_transform_fn) -> None:
    """``ModuleSpec.export``: the module with variables read from a training checkpoint."""
    with tf.Graph().as_default():
        module = Module(spec)
        assignment = {name_transform_fn(name): value
                      for name, value in module.variable_map.items()}
        tf.compat.v1.train.init_from_checkpoint(checkpoint_path, assignment)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            module.export(path, session)


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
def eval_function_for_module(spec, tags=None):
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
