"""``hubcompat.describe``: what a model holds, as a JSON-ready dict.

Works for TF1 Hub modules, plain TF1 SavedModels and TF2 SavedModels. The
dict's layout is documented in docs/inspect-and-convert.md; ``python -m
hubcompat inspect`` prints it as text or JSON.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import tensorflow as tf

from hubcompat import errors
from hubcompat._tf2_call import call_traces
from hubcompat.example_inputs import example_inputs, image_size_of, input_specs
from hubcompat.formats import ModelFormat, detect_format, read_saved_model_summary
from hubcompat.parity import compare
from hubcompat.resolvers import resolve
from hubcompat.tolerances import TRAINING_ATOL


def describe(handle: str | os.PathLike[str], tags: Iterable[str] | str | None = None) -> dict:
    """Describes the model at ``handle`` (anything :func:`hubcompat.load` accepts)."""
    path = resolve(handle)
    fmt = detect_format(path)
    result = {"handle": str(handle), "path": path, "format": str(fmt)}
    if fmt is ModelFormat.TF2_SAVED_MODEL:
        result.update(_describe_tf2(path, tags))
    else:
        result.update(_describe_tf1(path, handle, tags))
    return result


# --- TF1 Hub modules and TF1 SavedModels ----------------------------------------


def _describe_tf1(path: str, handle, tags) -> dict:
    """Read from the module's files: no value is read, except to run the
    ``{"train"}`` graph when there is one (see :func:`_training_changes`)."""
    from hubcompat.tf1.module_reader import REGULARIZATION_LOSSES_COLLECTION, ModuleReader, tags_key

    reader = ModuleReader(path)
    tags = tags_key(tags) if tags is not None else reader.default_tags
    names = reader.signature_names(tags)
    descriptions = reader.variables(tags)
    reader.checked_checkpoint(descriptions)  # the index: names, shapes, data sizes
    trainable = reader.trainable_variable_names(tags)
    return {
        "tags": sorted(tags),
        "tag_sets": _tag_sets(reader.tag_sets),
        "signatures": {
            name: {
                "inputs": _tensor_infos(reader.input_info(tags, name)),
                "outputs": _tensor_infos(reader.output_info(tags, name)),
            }
            for name in names
        },
        "variables": _variables([(d.name, d.shape.as_list(), d.dtype, d.name in trainable)
                                 for d in descriptions]),
        "assets": sorted({os.path.basename(f) for f in reader.asset_files(tags).values()}),
        "attached_messages": {key: _attachment(reader, key) for key in sorted(reader.attachments)},
        "call": {"exists": "default" in names, "accepts_training": "default" in names},
        "training": _training_changes(path, handle, reader, tags, names),
        "regularization_losses": len(reader.node_names(tags, REGULARIZATION_LOSSES_COLLECTION)),
    }


def _tensor_infos(infos) -> dict:
    return {
        key: {"dtype": desc.dtype.name, "shape": _shape(desc.shape),
              "sparse": bool(desc.is_sparse)}
        for key, desc in sorted(infos.items())
    }


def _attachment(reader, key: str) -> dict:
    from hubcompat.legacy.protos import ImageModuleInfo
    from hubcompat.tf1.hub_format import IMAGE_MODULE_INFO_KEY

    raw = reader.attachments[key]
    if key == IMAGE_MODULE_INFO_KEY:
        info = ImageModuleInfo()
        info.ParseFromString(raw)
        size = info.default_image_size
        return {"type": "ImageModuleInfo", "default_image_size": [size.height, size.width]}
    return {"type": "unknown", "bytes": len(raw)}


def _training_changes(path, handle, reader, tags, names) -> dict:
    """Whether a {"train"} graph exists, its update ops, and the outputs it changes."""
    from hubcompat.loader import load_tf1
    from hubcompat.tf1.module_reader import UPDATE_OPS_COLLECTION

    train_tags = reader.train_tags(tags)
    result: dict[str, Any] = {"train_graph": train_tags is not None, "train_tags": None,
              "update_ops": 0, "changed_outputs": {}, "unavailable": {}}
    if train_tags is None:
        return result
    result["train_tags"] = sorted(train_tags)
    result["update_ops"] = len(reader.node_names(train_tags, UPDATE_OPS_COLLECTION))
    module = load_tf1(path, tags, handle)
    image_size = image_size_of(module)
    train_names = set(reader.signature_names(train_tags))
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
            comparison = compare(inference, training, atol=TRAINING_ATOL)
            result["changed_outputs"][name] = [key for key in sorted(comparison.problems)
                                               if key in inference]
    finally:
        # training=True ran the update ops: the checkpoint's values go back in
        # (restored again, rather than kept as a second copy).
        module.restore_checkpoint()
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
    trainable = {id(v) for v in getattr(obj, "trainable_variables", [])}
    assets_dir = os.path.join(path, "assets")
    return {
        "tags": sorted(tags) if tags is not None else None,
        "tag_sets": _tag_sets(summary.tag_sets),
        "signatures": signatures,
        "variables": _variables([(v.name.split(":")[0], v.shape.as_list(), v.dtype,
                                  id(v) in trainable) for v in variables]),
        "assets": sorted(os.listdir(assets_dir)) if os.path.isdir(assets_dir) else [],
        "attached_messages": {},
        "call": _call_info(obj),
        "training": None,
        "regularization_losses": len(getattr(obj, "regularization_losses", [])),
    }


def _call_info(obj) -> dict:
    traces = call_traces(obj)
    trained_with: set[bool] = set()
    for trace in traces:
        values = [*trace.args[1:], trace.kwargs.get("training")]
        trained_with.update(v for v in values if isinstance(v, bool))
    return {"exists": bool(traces), "accepts_training": bool(trained_with)}


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


def _variables(rows) -> dict:
    """``rows``: ``(name, shape, dtype, trainable)`` per variable (sizes from shapes alone)."""
    listed = [{"name": name, "shape": shape, "dtype": dtype.name, "trainable": trainable}
              for name, shape, dtype, trainable in rows]
    return {
        "count": len(listed),
        "trainable_count": sum(v["trainable"] for v in listed),
        "elements": int(sum(np.prod(v["shape"], dtype=np.int64) for v in listed)),
        "bytes": int(sum(np.prod(shape, dtype=np.int64) * dtype.size
                         for _, shape, dtype, _ in rows)),
        "list": sorted(listed, key=lambda v: v["name"]),
    }
