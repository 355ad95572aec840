"""KerasLayer's argument checks: clear errors, builtins as hub.KerasLayer raised."""

from __future__ import annotations

import pytest
import tensorflow as tf

import hubcompat
from hubcompat import errors


def test_unknown_signature_tf1(mlp_bn):
    with pytest.raises(errors.UnknownSignatureError, match="'nope'.*default, double"):
        hubcompat.KerasLayer(mlp_bn, signature="nope")


def test_unknown_signature_tf2_is_a_value_error(tf2_module_path):
    with pytest.raises(ValueError, match="unknown signature 'nope'; available: serve"):
        hubcompat.KerasLayer(tf2_module_path, signature="nope", output_key="out")


def test_output_key_on_a_model_without_dict_outputs(my_mul_path):
    layer = hubcompat.KerasLayer(my_mul_path, output_key="y")
    with pytest.raises(errors.LayerArgumentError, match="returns a .*not a dict; drop output_key"):
        layer(tf.constant([1.0]))


def test_output_key_not_among_tf1_outputs(mlp_bn):
    with pytest.raises(errors.LayerArgumentError, match="no output 'logits'.*default, hidden"):
        hubcompat.KerasLayer(mlp_bn, output_key="logits")


def test_output_key_with_signature_outputs_as_dict(mlp_bn, tf2_module_path):
    for handle, signature in ((mlp_bn, None), (tf2_module_path, "serve")):
        with pytest.raises(errors.LayerArgumentError, match="exactly one of output_key"):
            hubcompat.KerasLayer(handle, signature=signature, output_key="default",
                                 signature_outputs_as_dict=True)


def test_signature_needs_output_key_or_as_dict(tf2_module_path):
    with pytest.raises(ValueError, match="exactly one of output_key"):
        hubcompat.KerasLayer(tf2_module_path, signature="serve")


def test_outputs_as_dict_needs_a_signature(my_mul_path):
    with pytest.raises(errors.LayerArgumentError, match="needs a signature"):
        hubcompat.KerasLayer(my_mul_path, signature_outputs_as_dict=True)


def test_trainable_on_a_module_without_variables(no_variables_module):
    with pytest.raises(errors.LayerArgumentError, match="no trainable variables"):
        hubcompat.KerasLayer(no_variables_module, trainable=True)
    hubcompat.KerasLayer(no_variables_module)  # fine when frozen


def test_trainable_through_a_tf2_signature(tf2_module_path):
    with pytest.raises(errors.LayerArgumentError, match="signatures have no training mode"):
        hubcompat.KerasLayer(tf2_module_path, signature="serve", output_key="out", trainable=True)
    layer = hubcompat.KerasLayer(tf2_module_path, signature="serve", output_key="out")
    layer.trainable = True  # checked again at call time, as hub.KerasLayer did
    with pytest.raises(errors.LayerArgumentError, match="cannot be trainable"):
        layer(tf.ones([1, 2]))


def test_tags_and_load_options_need_a_string_handle(my_mul_path):
    loaded = tf.saved_model.load(my_mul_path)
    with pytest.raises(errors.LayerArgumentError, match="tags= applies to a string handle"):
        hubcompat.KerasLayer(loaded, tags=["serve"])
    with pytest.raises(errors.LayerArgumentError, match="load_options= applies"):
        hubcompat.KerasLayer(loaded, load_options=tf.saved_model.LoadOptions())


def test_config_of_an_object_handle(my_mul_path):
    layer = hubcompat.KerasLayer(tf.saved_model.load(my_mul_path))
    with pytest.raises(NotImplementedError, match="only a string handle can be saved"):
        layer.get_config()


def test_non_json_arguments_cannot_be_saved(tf2_module_path):
    layer = hubcompat.KerasLayer(tf2_module_path, arguments={"scale": tf.constant(2.0)})
    with pytest.raises(errors.LayerArgumentError, match="arguments=.*cannot be saved"):
        layer.get_config()


def test_bad_output_shape(my_mul_path):
    with pytest.raises(errors.LayerArgumentError, match="not a shape"):
        hubcompat.KerasLayer(my_mul_path, output_shape={"a": "wide"})


def test_wrong_dtype_placeholder_explains_keras_input(keras, text_embed):
    layer = hubcompat.KerasLayer(text_embed)
    with pytest.raises(NotImplementedError, match=r"keras.Input\(shape=..., dtype='string'\)"):
        layer(keras.Input(shape=()))
