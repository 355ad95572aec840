"""Small TF1 Hub modules written by a test: hubcompat's own hub.Module API, then edited.

``export`` writes what ``module_fn`` builds (as ``hub.create_module_spec`` /
``hub.Module.export`` did); ``edit_saved_model`` changes its saved_model.pb in
place, to make the constructs hub.Module would not export (what a damaged or
foreign exporter writes).
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

import hubcompat


def export(tmp_path: Path, module_fn, tags_and_args=None, name: str = "module") -> str:
    """Exports ``module_fn`` as a TF1 Hub module at ``tmp_path/name``; returns its path."""
    spec = hubcompat.create_module_spec(module_fn, tags_and_args=tags_and_args)
    path = str(tmp_path / name)
    with tf.Graph().as_default():
        module = hubcompat.Module(spec)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            module.export(path, session)
    return path


def edit_saved_model(path, edit) -> None:
    """Calls ``edit(saved_model_proto)`` and writes the result back to ``path/saved_model.pb``."""
    pb = Path(path) / "saved_model.pb"
    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString(pb.read_bytes())
    edit(proto)
    pb.write_bytes(proto.SerializeToString())
