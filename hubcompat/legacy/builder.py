"""``create_module_spec``, ``add_signature``, ``attach_message``: defining a TF1 Hub module.

``module_fn`` runs in a fresh graph per tag set (resource variables by
default, as in tensorflow_hub 0.15); ``add_signature`` and ``attach_message``
record into that graph's collections, read back when the graph is captured
as a MetaGraphDef.
"""

from __future__ import annotations

import re

import tensorflow as tf

from hubcompat import errors
from hubcompat._tf_private import build_tensor_info
from hubcompat.legacy.graph_module import state_op_types
from hubcompat.legacy.module_spec import ModuleSpec
from hubcompat.tf1 import hub_format

# Tuple keys: export_meta_graph skips them, so they never reach the saved graph.
_SIGNATURES = ("__saved_model_lib_signatures",)
_ATTACHMENTS = ("__hub_module_attachments",)


def _check_graph_mode(what: str) -> None:
    if tf.executing_eagerly():
        raise errors.EagerModeError(
            f"hub.{what}() must be called inside the module_fn given to "
            "hub.create_module_spec(), which builds a TF1 graph.")


def add_signature(name=None, inputs=None, outputs=None) -> None:
    """Declares a signature of the module being defined (call inside ``module_fn``)."""
    _check_graph_mode("add_signature")
    name = name or "default"
    inputs = {} if inputs is None else inputs
    outputs = {} if outputs is None else outputs
    if not isinstance(inputs, dict):
        inputs = {"default": inputs}
    if not isinstance(outputs, dict):
        outputs = {"default": outputs}
    bad = [(kind, key, value) for kind, values in (("input", inputs), ("output", outputs))
           for key, value in sorted(values.items())
           if not isinstance(value, (tf.Tensor, tf.SparseTensor, tf.RaggedTensor))]
    if bad:
        raise errors.InputError(
            f"The inputs and outputs declared in hub.add_signature() for signature {name!r} "
            "should have one of the types that are supported by this version of "
            "tensorflow_hub: Tensor, SparseTensor, RaggedTensor.\n" + "\n".join(
                f"  * {kind} {key!r} has type {type(value).__name__}" for kind, key, value in bad))
    for key, tensor in inputs.items():
        for component in tf.nest.flatten(tensor, expand_composites=True):
            if component.op.colocation_groups() != [b"loc:@" + component.op.name.encode()]:
                raise errors.InputError(  # tensorflow_hub's sentence first, users match it
                    "A tensor x used as input in a signature must not be subject to a "
                    "tf.colocate_with(y) constraint. (The reverse would be allowed.)\n"
                    f"Details: input {key!r} of signature {name!r} is {component.name!r}, whose "
                    f"op.colocation_groups() == {component.op.colocation_groups()}.")
    signature = tf.compat.v1.saved_model.signature_def_utils.build_signature_def(
        {k: build_tensor_info(v) for k, v in inputs.items()},
        {k: build_tensor_info(v) for k, v in outputs.items()})
    tf.compat.v1.add_to_collection(_SIGNATURES, (name, signature))


def attach_message(key, message) -> None:
    """Attaches a protocol message to the module being defined (call inside ``module_fn``)."""
    _check_graph_mode("attach_message")
    if not re.match(r"[a-zA-Z][a-zA-Z0-9_]*$", key):
        raise errors.InputError(f"hub.attach_message() called with malformed key '{key}'")
    tf.compat.v1.add_to_collection(_ATTACHMENTS, (key, message.SerializeToString()))


def create_module_spec(module_fn, tags_and_args=None, drop_collections=None) -> ModuleSpec:
    """Builds a ModuleSpec by calling ``module_fn(**args)`` once per ``(tags, args)``."""
    report_tags = bool(tags_and_args)
    tags_and_args = tags_and_args or [(set(), {})]
    meta_graphs = []
    for tags, args in tags_and_args:
        with tf.Graph().as_default() as graph:
            with tf.compat.v1.variable_scope("", use_resource=True):
                module_fn(**args)
            for key in drop_collections or []:
                del tf.compat.v1.get_collection_ref(key)[:]
            _check_state_colocation(graph, tags if report_tags else None)
            meta_graphs.append(_capture(graph, tags))
    return ModuleSpec(meta_graphs)


def _capture(graph, tags):
    meta_graph = tf.compat.v1.train.export_meta_graph(graph=graph, strip_default_attrs=True)
    meta_graph.meta_info_def.tags.extend(sorted(tags or []))
    signatures = graph.get_collection(_SIGNATURES)
    if not signatures:
        raise errors.InputError(
            "No signatures present. Please call hub.add_signature(...) at least once in the "
            "module_fn.")
    for name, signature in signatures:
        meta_graph.signature_def[name].CopyFrom(signature)
    attachments = dict(graph.get_collection(_ATTACHMENTS))  # the last one wins
    if attachments:
        meta_graph.collection_def[hub_format.ATTACHMENTS_COLLECTION].bytes_list.value[:] = (
            hub_format.encode_attachments(attachments))
    return meta_graph


def _check_state_colocation(graph, tags) -> None:
    types = state_op_types(graph.as_graph_def())
    state = {op.name for op in graph.get_operations() if op.type in types}
    for op in graph.get_operations():
        if op.name not in state:
            continue
        for group in op.colocation_groups():
            if not (group.startswith(b"loc:@") and group[5:].decode() in state):
                where = f"in the graph for tags {tags}, " if tags is not None else ""
                raise errors.InputError(
                    "A state-holding node x of a module's graph (e.g., a Variable op) must not "
                    "be subject to a tf.colocate_with(y) constraint unless y is also a "
                    f"state-holding node.\nDetails: {where}node '{op.name}' has op '{op.type}', "
                    "which counts as state-holding, but Operation.colocation_groups() == "
                    f"{op.colocation_groups()}.")
