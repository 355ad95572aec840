"""Bad input to hubcompat.load and to a loaded module: a clear hubcompat error each."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import tensorflow as tf

import hubcompat
from hubcompat import errors

from tests.support.paths import genuine


@pytest.fixture(scope="module")
def mlp_bn():
    return hubcompat.load(genuine("mlp_bn"))


def test_unknown_signature(mlp_bn):
    with pytest.raises(errors.SignatureError, match="'nope'.*default, double") as info:
        mlp_bn(np.zeros((1, 4), np.float32), signature="nope")
    assert isinstance(info.value, KeyError)
    with pytest.raises(errors.SignatureError):
        mlp_bn.signatures["nope"]
    with pytest.raises(errors.SignatureError):
        mlp_bn.get_input_info_dict("nope")


def test_unknown_or_missing_inputs(mlp_bn):
    with pytest.raises(errors.InputError, match=r"\['x'\], got \['y'\]") as info:
        mlp_bn({"y": np.zeros((1, 4), np.float32)})
    assert isinstance(info.value, ValueError)
    with pytest.raises(errors.InputError, match="needs inputs"):
        mlp_bn()


def test_wrong_dtype(mlp_bn):
    with pytest.raises(errors.InputTypeError, match="float32.*int32") as info:
        mlp_bn(tf.zeros((1, 4), tf.int32))
    assert isinstance(info.value, TypeError)
    with pytest.raises(errors.InputTypeError, match="float32"):
        mlp_bn([["a", "b", "c", "d"]])


def test_wrong_shape(mlp_bn):
    with pytest.raises(errors.InputError, match=r"shape \(None, 4\)"):
        mlp_bn(np.zeros((2, 5), np.float32))


def test_python_lists_and_float64_are_converted(mlp_bn):
    x = np.random.RandomState(0).rand(2, 4)
    np.testing.assert_allclose(mlp_bn(x.tolist()), mlp_bn(x.astype(np.float32)), atol=1e-6)


def test_several_inputs_need_a_dict(tmp_path):
    import tensorflow as tf

    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        a = tf.compat.v1.placeholder(tf.float32, [None], name="a")
        b = tf.compat.v1.placeholder(tf.float32, [None], name="b")
        builder = tf.compat.v1.saved_model.Builder(str(tmp_path / "m"))
        builder.add_meta_graph_and_variables(session, [], signature_def_map={
            "default": tf.compat.v1.saved_model.predict_signature_def(
                {"a": a, "b": b}, {"sum": a + b})})
        builder.save()
    module = hubcompat.load(tmp_path / "m")
    with pytest.raises(errors.InputError, match="pass them as a dict"):
        module([1.0])
    with pytest.raises(errors.SignatureError, match="no 'default' output.*as_dict=True"):
        module({"a": [1.0], "b": [2.0]})
    assert module({"a": [1.0], "b": [2.0]}, as_dict=True)["sum"].numpy().tolist() == [3.0]


def test_unknown_tags():
    with pytest.raises(errors.SignatureError, match="no graph for tags.*set\\(\\), \\{'train'\\}"):
        hubcompat.load(genuine("mlp_bn"), tags={"serve"})


def test_train_tags_can_be_chosen():
    module = hubcompat.load(genuine("mlp_bn"), tags={"train"})
    assert module.tags == {"train"}
    assert module.get_output_info_dict()["hidden"].shape.as_list() == [None, 8]


def test_missing_checkpoint(genuine_copy):
    path = genuine_copy("mlp_bn")
    shutil.rmtree(path / "variables")
    with pytest.raises(errors.CorruptModuleError, match="no checkpoint") as info:
        hubcompat.load(path)
    assert str(path) in str(info.value)


def test_unreadable_checkpoint(genuine_copy):
    path = genuine_copy("mlp_bn")
    (path / "variables" / "variables.index").write_bytes(b"not a checkpoint")
    with pytest.raises(errors.CorruptModuleError, match="Fetch the module again") as info:
        hubcompat.load(str(path))
    assert str(path) in str(info.value)


def test_missing_asset(genuine_copy):
    path = genuine_copy("text_embed")
    (path / "assets" / "_vocab.txt").unlink()
    with pytest.raises(errors.CorruptModuleError, match="_vocab.txt"):
        hubcompat.load(path)


def test_missing_path(tmp_path):
    with pytest.raises(errors.ModuleNotFound, match="nope"):
        hubcompat.load(tmp_path / "nope")


def test_keras_file_is_refused_with_the_next_step(tmp_path):
    import zipfile

    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", "{}")
    with pytest.raises(errors.UnknownFormatError, match="load_model"):
        hubcompat.load(path)


def test_user_files_are_left_untouched(genuine_copy):
    path = genuine_copy("text_embed")
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    module = hubcompat.load(path)
    module(["a b"], training=True)
    tf.saved_model.save(module, str(path.parent / "export"))
    after = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    assert before == after
