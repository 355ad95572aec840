"""``hubcompat.describe``: what a model holds, as a JSON-ready dict.

Works for TF1 Hub modules, plain TF1 SavedModels and TF2 SavedModels. The
dict's layout is documented in docs/inspect-and-convert.md; ``python -m
hubcompat inspect`` prints it as text or JSON.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from hubcompat import errors
from hubcompat.example_inputs import example_inputs, image_size_of, input_specs
from hubcompat.formats import ModelFormat, detect_format, read_saved_model_summary
from hubcompat.parity import max_abs_difference
from hubcompat.resolvers import resolve

# Outputs that differ by more than this between inference and training mode
# count as changed by training=True.
TRAINING_ATOL = 1e-6


def describe(handle, tags=None) -> dict:
    """Describes the model at ``handle`` (anything :func:`hubcompat.load` accepts)."""
    path = resolve(handle)
    fmt = detect_format(path)
    result = {"handle": str(handle), "path": path, "format": str(fmt)}
    if fmt is ModelFormat.TF2_SAVED_MODEL:
        result.update(_describe_tf2(path, tags))
    else:
        from hubcompat.loader import load

        result.update(_describe_tf1(load(handle, tags=tags)))
    return result


# --- TF1 Hub modules and TF1 SavedModels ----------------------------------------


def _describe_tf1(module) -> dict:
    reader = module._reader
    names = module.get_signature_names()
    return {
        "tags": sorted(module.tags),
        "tag_sets": _tag_sets(module.tag_sets),
        "signatures": {
            name: {
                "inputs": _tensor_infos(module.get_input_info_dict(name)),
                "outputs": _tensor_infos(module.get_output_info_dict(name)),
            }
            for name in names
        },
        "variables": _variables(module.variables, module.trainable_variables),
        "assets": sorted({os.path.basename(f) for f in reader.asset_files(module.tags).values()}),
        "attached_messages": {key: _attachment(module, key) for key in sorted(reader.attachments)},
        "call": {"exists": "default" in names, "accepts_training": "default" in names},
        "training": _training_changes(module, names),
        "regularization_losses": len(module.regularization_losses),
    }


def _tensor_infos(infos) -> dict:
    return {
        key: {"dtype": desc.dtype.name, "shape": _shape(desc.shape),
              "sparse": bool(desc.is_sparse)}
        for key, desc in sorted(infos.items())
    }


def _attachment(module, key: str) -> dict:
    from hubcompat.legacy.image_util import IMAGE_MODULE_INFO_KEY, get_image_module_info

    if key == IMAGE_MODULE_INFO_KEY:
        size = get_image_module_info(module).default_image_size
        return {"type": "ImageModuleInfo", "default_image_size": [size.height, size.width]}
    return {"type": "unknown", "bytes": len(module._reader.attachments[key])}


def _training_changes(module, names) -> dict:
    """Whether a {"train"} graph exists, its update ops, and the outputs it changes."""
    from hubcompat.tf1.module_reader import UPDATE_OPS_COLLECTION

    train_tags = module._train_tags
    result = {"train_graph": train_tags is not None, "train_tags": None,
              "update_ops": 0, "changed_outputs": {}, "unavailable": {}}
    if train_tags is None:
        return result
    reader = module._reader
    result["train_tags"] = sorted(train_tags)
    result["update_ops"] = len(reader.node_names(train_tags, UPDATE_OPS_COLLECTION))
    image_size = image_size_of(module)
    train_names = set(reader.signature_names(train_tags))
    # Variables are put back afterwards: training=True runs the update ops.
    saved = [v.numpy() for v in module.variables]
    try:
        for name in names:
            if name not in train_names:
                continue
            inputs = example_inputs(input_specs(module, name), image_size=image_size)
            inference = module(inputs, signature=name, as_dict=True)
            try:
                training = module(inputs, training=True, signature=name, as_dict=True)
            except errors.UnsupportedGraphError as e:
                # e.g. update ops that need an input this signature does not feed
                result["changed_outputs"][name] = None
                result["unavailable"][name] = str(e)
                continue
            changed = [key for key in sorted(inference)
                       if not max_abs_difference(inference[key], training.get(key)) <= TRAINING_ATOL]
            result["changed_outputs"][name] = changed
    finally:
        for variable, value in zip(module.variables, saved):
            variable.assign(value)
    return result


# --- TF2 SavedModels --------------------------------------------------------------


def _describe_tf2(path: str, tags) -> dict:
    obj = tf.saved_model.load(path, tags=tags)
    summary = read_saved_model_summary(os.path.join(path, "saved_model.pb"))
    signatures = {}
    for name in sorted(obj.signatures):
        function = obj.signatures[name]
        outputs = function.structured_outputs
        signatures[name] = {
            "inputs": {key: _spec_info(spec) for key, spec in input_specs(obj, name).items()},
            "outputs": {key: _spec_info(_as_spec(value)) for key, value in sorted(outputs.items())},
        }
    variables = list(getattr(obj, "variables", []))
    assets_dir = os.path.join(path, "assets")
    return {
        "tags": sorted(tags) if tags is not None else None,
        "tag_sets": _tag_sets(summary.tag_sets),
        "signatures": signatures,
        "variables": _variables(variables, list(getattr(obj, "trainable_variables", []))),
        "assets": sorted(os.listdir(assets_dir)) if os.path.isdir(assets_dir) else [],
        "attached_messages": {},
        "call": _call_info(obj),
        "training": None,
        "regularization_losses": len(getattr(obj, "regularization_losses", [])),
    }


def _call_info(obj) -> dict:
    concrete = list(getattr(obj.__call__, "concrete_functions", [])) if callable(obj) else []
    trained_with = set()
    for function in concrete:
        args, kwargs = function.structured_input_signature
        values = [*args[1:], kwargs.get("training")]
        trained_with.update(v for v in values if isinstance(v, bool))
    return {"exists": bool(concrete), "accepts_training": bool(trained_with)}


def _as_spec(value):
    if isinstance(value, tf.TypeSpec):
        return value
    return tf.type_spec_from_value(value)


def _spec_info(spec) -> dict:
    return {"dtype": spec.dtype.name, "shape": _shape(spec.shape),
            "sparse": isinstance(spec, tf.SparseTensorSpec)}


# --- shared -------------------------------------------------------------------------


def _tag_sets(tag_sets) -> list[list[str]]:
    return sorted(sorted(tags) for tags in tag_sets)


def _shape(shape: tf.TensorShape):
    return None if shape.rank is None else shape.as_list()


def _variables(variables, trainable) -> dict:
    trainable_ids = {id(v) for v in trainable}
    listed = [
        {"name": v.name.split(":")[0], "shape": v.shape.as_list(), "dtype": v.dtype.name,
         "trainable": id(v) in trainable_ids}
        for v in variables
    ]
    return {
        "count": len(listed),
        "trainable_count": sum(v["trainable"] for v in listed),
        "elements": int(sum(np.prod(v["shape"], dtype=np.int64) for v in listed)),
        "bytes": int(sum(np.prod(v.shape.as_list(), dtype=np.int64) * v.dtype.size
                         for v in variables)),
        "list": sorted(listed, key=lambda v: v["name"]),
    }
