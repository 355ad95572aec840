"""Tells what kind of model a path holds, without importing TensorFlow."""

from __future__ import annotations

import enum
import os
import zipfile
from dataclasses import dataclass, field

from hubcompat import _wire, errors
from hubcompat.tf1.hub_format import (
    MODULE_DEF_FILENAME,
    MODULE_DEF_FORMAT_V3,
    SUPPORTED_REQUIRED_FEATURES,
    parse_module_def,
)

__all__ = ["MODULE_DEF_FILENAME", "SAVED_MODEL_FILENAME", "SAVED_MODEL_TEXT_FILENAME",
           "ModelFormat", "SavedModelSummary", "detect_format", "read_module_def",
           "read_saved_model_summary"]

SAVED_MODEL_FILENAME = "saved_model.pb"
SAVED_MODEL_TEXT_FILENAME = "saved_model.pbtxt"


class ModelFormat(str, enum.Enum):
    """The kinds of model :func:`detect_format` recognises."""

    TF1_HUB = "tf1_hub"
    TF2_SAVED_MODEL = "tf2_saved_model"
    TF1_SAVED_MODEL = "tf1_saved_model"
    KERAS = "keras"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SavedModelSummary:
    """What the top of a ``saved_model.pb`` says, read without TensorFlow."""

    tag_sets: list[frozenset[str]] = field(default_factory=list)
    has_object_graph: bool = False


def detect_format(path: str | os.PathLike[str]) -> ModelFormat:
    """Returns the format of the model at ``path`` (a folder, or a ``.keras`` file).

    Raises a :mod:`hubcompat.errors` exception that says what is wrong with
    anything that is not a loadable model.
    """
    path = os.fspath(path)
    fs = _Files(path)
    if not fs.exists(path):
        raise errors.ModuleNotFound(f"No file or folder at {path!r}: check the handle or path.",
                                    path=path)
    if not fs.isdir(path):
        if not fs.remote and zipfile.is_zipfile(path) and path.endswith(".keras"):
            return ModelFormat.KERAS
        raise errors.UnknownFormatError(
            f"{path!r} is a file, not a model folder. Pass the folder that holds "
            "saved_model.pb, or an archive handle (.tar.gz) that hubcompat.resolve() can unpack.",
            path=path,
        )
    entries = fs.listdir(path)
    if not entries:
        raise errors.UnknownFormatError(
            f"The folder {path!r} is empty (it contains neither 'saved_model.pb' nor "
            "'saved_model.pbtxt'): a download or extraction may have failed. "
            "Delete it and fetch the model again.",
            path=path,
        )
    saved_model_file = _saved_model_file(path, entries)
    if MODULE_DEF_FILENAME in entries:
        read_module_def(os.path.join(path, MODULE_DEF_FILENAME))
        if saved_model_file is None:
            raise errors.MissingSavedModelError(
                f"{path!r} has {MODULE_DEF_FILENAME} but no {SAVED_MODEL_FILENAME}: "
                "the TF1 Hub module is incomplete. Fetch it again.",
                path=path,
            )
        return ModelFormat.TF1_HUB
    if saved_model_file is None:
        if "variables" in entries or any(e.endswith(".index") or e == "checkpoint" for e in entries):
            raise errors.MissingSavedModelError(
                f"{path!r} holds a checkpoint but no {SAVED_MODEL_FILENAME}: a checkpoint has "
                "weights but no graph. Load it with tf.train.Checkpoint and the code that built "
                "the model, or export a SavedModel first.",
                path=path,
            )
        raise errors.UnknownFormatError(
            f"{path!r} contains neither 'saved_model.pb' nor 'saved_model.pbtxt' (nor "
            f"{MODULE_DEF_FILENAME}) "
            f"(found: {', '.join(sorted(entries)[:8])}). Pass the folder of a TF1 Hub module "
            "or of a SavedModel.",
            path=path, available=sorted(entries),
        )
    if saved_model_file.endswith(".pbtxt"):
        # Text SavedModels are rare; only TensorFlow can parse them. TF2 writes binary.
        return ModelFormat.TF1_SAVED_MODEL
    summary = read_saved_model_summary(saved_model_file)
    return ModelFormat.TF2_SAVED_MODEL if summary.has_object_graph else ModelFormat.TF1_SAVED_MODEL


class _Files:
    """The filesystem calls detect_format needs: ``os`` for local paths, ``tf.io.gfile``
    for remote ones (``gs://``: TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED), the only case
    that imports TensorFlow here."""

    def __init__(self, path: str) -> None:
        self.remote = is_remote(path)

    def _gfile(self):
        import tensorflow as tf

        return tf.io.gfile

    def exists(self, path: str) -> bool:
        return self._gfile().exists(path) if self.remote else os.path.exists(path)

    def isdir(self, path: str) -> bool:
        return self._gfile().isdir(path) if self.remote else os.path.isdir(path)

    def listdir(self, path: str) -> set[str]:
        if self.remote:
            return {name.rstrip("/") for name in self._gfile().listdir(path)}
        return set(os.listdir(path))


def is_remote(path: str) -> bool:
    """A path TensorFlow reads through a filesystem plugin (``gs://...``), not a local one."""
    return "://" in path and not path.startswith("file://")


def _read_bytes(filename: str) -> bytes:
    if is_remote(filename):
        import tensorflow as tf

        with tf.io.gfile.GFile(filename, "rb") as f:
            return f.read()
    with open(filename, "rb") as f:
        return f.read()


def _saved_model_file(path: str, entries: set[str]) -> str | None:
    for name in (SAVED_MODEL_FILENAME, SAVED_MODEL_TEXT_FILENAME):
        if name in entries:
            return os.path.join(path, name)
    return None


def read_module_def(filename: str) -> tuple[int, list[str]]:
    """Reads ``tfhub_module.pb``; returns ``(format, required_features)``.

    Raises ``UnsupportedModuleFormatError`` for any format but FORMAT_V3 or an
    unknown required feature, as tensorflow_hub did.
    """
    data = _read_bytes(filename)
    if not data:
        raise errors.CorruptModuleError(
            f"{filename!r} is empty: the module is damaged or was not fully written. "
            "Fetch it again.")
    try:
        fmt, features = parse_module_def(data)
    except (_wire.WireError, UnicodeDecodeError) as e:
        raise errors.CorruptModuleError(f"{filename!r} is not a valid ModuleDef ({e}).") from e
    if fmt != MODULE_DEF_FORMAT_V3:
        raise errors.UnsupportedModuleFormatError(
            f"{filename!r} declares ModuleDef format {fmt}; only FORMAT_V3 (3), the only format "
            "tensorflow_hub ever published, is supported. The module may be from a newer tool."
        )
    unknown = sorted(set(features) - SUPPORTED_REQUIRED_FEATURES)
    if unknown:
        raise errors.UnsupportedModuleFormatError(
            f"{filename!r} requires features hubcompat does not support: {unknown}."
        )
    return fmt, features


def read_saved_model_summary(filename: str) -> SavedModelSummary:
    """Reads the tag sets of a binary ``saved_model.pb`` and whether it is a TF2 one."""
    data = _read_bytes(filename)
    tag_sets: list[frozenset[str]] = []
    has_object_graph = False
    try:
        for number, wire_type, meta_graph in _wire.fields(data):
            if number != 2 or wire_type != _wire.LENGTH_DELIMITED:
                continue
            tags: set[str] = set()
            for mg_number, mg_type, mg_value in _wire.fields(meta_graph):  # type: ignore[arg-type]
                if mg_number == 1 and mg_type == _wire.LENGTH_DELIMITED:
                    for info_number, info_type, info_value in _wire.fields(mg_value):  # type: ignore[arg-type]
                        if info_number == 4 and info_type == _wire.LENGTH_DELIMITED:
                            tags.add(bytes(info_value).decode("utf-8"))
                elif mg_number == 7 and mg_type == _wire.LENGTH_DELIMITED and len(mg_value):  # type: ignore[arg-type]
                    has_object_graph = True
            tag_sets.append(frozenset(tags))
    except (_wire.WireError, UnicodeDecodeError) as e:
        raise errors.CorruptModuleError(
            f"{filename!r} is not a valid SavedModel ({e}). The file may be truncated: fetch it again."
        ) from e
    if not tag_sets:
        raise errors.CorruptModuleError(f"{filename!r} holds no MetaGraphDef: the file is empty or damaged.")
    return SavedModelSummary(tag_sets=tag_sets, has_object_graph=has_object_graph)
