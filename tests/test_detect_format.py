"""detect_format(): every kind of folder, every kind of bad folder, no TensorFlow."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

import hubcompat
from hubcompat import errors
from hubcompat.formats import ModelFormat, detect_format

from tests.support.paths import REPO, genuine


@pytest.mark.parametrize("name", ["mlp_bn", "text_embed", "upstream/hub_module_v1_mini"])
def test_genuine_modules_are_tf1_hub(name):
    assert detect_format(genuine(name)) is ModelFormat.TF1_HUB


def test_tf2_and_tf1_saved_models(tmp_path):
    import tensorflow as tf

    module = tf.Module()
    module.v = tf.Variable(1.0)
    module.f = tf.function(lambda x: x * module.v, input_signature=[tf.TensorSpec([], tf.float32)])
    tf.saved_model.save(module, str(tmp_path / "tf2"))
    assert detect_format(tmp_path / "tf2") is ModelFormat.TF2_SAVED_MODEL

    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        builder = tf.compat.v1.saved_model.Builder(str(tmp_path / "tf1"))
        builder.add_meta_graph_and_variables(
            session, ["serve"],
            signature_def_map={"serving_default": tf.compat.v1.saved_model.predict_signature_def(
                {"x": x}, {"y": x * 2})},
        )
        builder.save()
    assert detect_format(tmp_path / "tf1") is ModelFormat.TF1_SAVED_MODEL


def test_keras_file(tmp_path):
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", json.dumps({"class_name": "Sequential"}))
    assert detect_format(path) is ModelFormat.KERAS


def _module_folder(tmp_path, module_def: bytes, saved_model=True):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "tfhub_module.pb").write_bytes(module_def)
    if saved_model:
        (folder / "saved_model.pb").write_bytes((genuine("mlp_bn") / "saved_model.pb").read_bytes())
    return folder


@pytest.mark.parametrize("module_def", [b"\x08\x04", b"\x08\x01"])
def test_unsupported_module_def_version(tmp_path, module_def):
    folder = _module_folder(tmp_path, module_def)
    with pytest.raises(errors.UnsupportedModuleFormatError, match="FORMAT_V3") as info:
        detect_format(folder)
    assert str(folder / "tfhub_module.pb") in str(info.value)
    assert isinstance(info.value, ValueError)


def test_empty_module_def_is_a_damaged_file(tmp_path):
    # tensorflow_hub read an empty file as format 0 (a ValueError); an empty
    # tfhub_module.pb is a truncated download, so it says so.
    folder = _module_folder(tmp_path, b"")
    with pytest.raises(errors.CorruptModuleError, match="is empty.*Fetch it again") as info:
        detect_format(folder)
    assert str(folder / "tfhub_module.pb") in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_required_feature(tmp_path):
    folder = _module_folder(tmp_path, b"\x08\x03\x12\x0bnew_feature")
    with pytest.raises(errors.UnsupportedModuleFormatError, match="new_feature"):
        detect_format(folder)


def test_corrupt_module_def(tmp_path):
    with pytest.raises(errors.CorruptModuleError):
        detect_format(_module_folder(tmp_path, b"\x08"))


def test_missing_saved_model(tmp_path):
    folder = _module_folder(tmp_path, b"\x08\x03", saved_model=False)
    with pytest.raises(errors.MissingSavedModelError, match="saved_model.pb") as info:
        detect_format(folder)
    assert isinstance(info.value, FileNotFoundError)


def test_checkpoint_only_folder(tmp_path):
    (tmp_path / "variables").mkdir()
    (tmp_path / "variables" / "variables.index").write_bytes(b"x")
    (tmp_path / "checkpoint").write_text("model_checkpoint_path: 'ckpt'")
    with pytest.raises(errors.MissingSavedModelError, match="checkpoint"):
        detect_format(tmp_path)


def test_empty_folder(tmp_path):
    with pytest.raises(errors.UnknownFormatError, match="empty"):
        detect_format(tmp_path)


def test_unrelated_folder(tmp_path):
    (tmp_path / "README.txt").write_text("hi")
    with pytest.raises(errors.UnknownFormatError, match="README.txt"):
        detect_format(tmp_path)


def test_missing_path(tmp_path):
    with pytest.raises(errors.ModuleNotFound) as info:
        detect_format(tmp_path / "nope")
    assert isinstance(info.value, FileNotFoundError)
    assert "nope" in str(info.value)


def test_truncated_saved_model(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    data = (genuine("mlp_bn") / "saved_model.pb").read_bytes()
    (folder / "saved_model.pb").write_bytes(data[: len(data) // 2])
    with pytest.raises(errors.CorruptModuleError, match="truncated"):
        detect_format(folder)


def test_detect_format_does_not_import_tensorflow():
    code = (
        "import sys, hubcompat\n"
        f"print(hubcompat.detect_format({str(genuine('mlp_bn'))!r}))\n"
        "print('tensorflow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["tf1_hub", "False"]


def test_errors_are_builtins_too():
    for name in dir(errors):
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, errors.HubcompatError) and cls is not errors.HubcompatError:
            assert len(cls.__mro__) > 3, f"{name} should also subclass a builtin exception"
    assert hubcompat.errors is errors
