"""KerasLayer's argument checks: clear errors, builtins as hub.KerasLayer raised."""

from __future__ import annotations

import pytest
import tensorflow as tf

import hubcompat
from hubcompat import errors


def test_unknown_signature_tf1(mlp_bn):
    with pytest.raises(errors.UnknownSignatureError, match="Unknown signature nope.*default, double"):
        hubcompat.KerasLayer(mlp_bn, signature="nope")


def test_unknown_signature_tf2_is_a_value_error(tf2_module_path):
    with pytest.raises(ValueError, match="Unknown signature nope .*available signatures: serve"):
        hubcompat.KerasLayer(tf2_module_path, signature="nope", output_key="out")


def test_output_key_on_a_model_without_dict_outputs(my_mul_path):
    layer = hubcompat.KerasLayer(my_mul_path, output_key="y")
    with pytest.raises(errors.LayerArgumentError, match="output_key` is forbidden if output type .* is not a dict; drop output_key"):
        layer(tf.constant([1.0]))


def test_output_key_not_among_tf1_outputs(mlp_bn):
    layer = hubcompat.KerasLayer(mlp_bn, output_key="logits")  # hub.KerasLayer checked at call
    with pytest.raises(errors.LayerArgumentError,
                       match="does not contain the output key logits.*default, hidden"):
        layer(tf.ones([1, 4]))


def test_output_key_with_signature_outputs_as_dict(mlp_bn, tf2_module_path):
    for handle, signature in ((mlp_bn, None), (tf2_module_path, "serve")):
        with pytest.raises(errors.LayerArgumentError, match="either output_key or signature_outputs_as_dict"):
            hubcompat.KerasLayer(handle, signature=signature, output_key="default",
                                 signature_outputs_as_dict=True)


def test_signature_needs_output_key_or_as_dict(tf2_module_path):
    with pytest.raises(ValueError, match="either output_key or signature_outputs_as_dict"):
        hubcompat.KerasLayer(tf2_module_path, signature="serve")


def test_outputs_as_dict_needs_a_signature(my_mul_path):
    with pytest.raises(errors.LayerArgumentError, match="only valid if specifying a signature"):
        hubcompat.KerasLayer(my_mul_path, signature_outputs_as_dict=True)


def test_trainable_on_a_module_without_variables(no_variables_module, caplog):
    layer = hubcompat.KerasLayer(no_variables_module, trainable=True)  # as hub.KerasLayer: logs
    layer(tf.constant([1.0]))
    layer(tf.constant([1.0]))
    assert layer.trainable_weights == []
    logged = [r for r in caplog.records if "zero trainable weights" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelname == "ERROR"


def test_trainable_through_a_tf2_signature(tf2_module_path):
    # As hub.KerasLayer: checked by the call (code builds the layer outside assertRaises).
    layer = hubcompat.KerasLayer(tf2_module_path, signature="serve", output_key="out",
                                 trainable=True)
    with pytest.raises(errors.LayerArgumentError,
                       match="unsupported when calling a SavedModel signature"):
        layer(tf.ones([1, 2]))
    layer = hubcompat.KerasLayer(tf2_module_path, signature="serve", output_key="out")
    layer.trainable = True
    with pytest.raises(errors.LayerArgumentError, match="signatures have no training mode"):
        layer(tf.ones([1, 2]))


def test_tags_and_load_options_need_a_string_handle(my_mul_path):
    loaded = tf.saved_model.load(my_mul_path)
    with pytest.raises(errors.LayerArgumentError, match="mutually exclusive with setting tags"):
        hubcompat.KerasLayer(loaded, tags=["serve"])
    with pytest.raises(errors.LayerArgumentError, match="mutually exclusive with setting load_options"):
        hubcompat.KerasLayer(loaded, load_options=tf.saved_model.LoadOptions())


def test_config_of_an_object_handle(my_mul_path):
    layer = hubcompat.KerasLayer(tf.saved_model.load(my_mul_path))
    with pytest.raises(NotImplementedError, match="Can only generate a valid config .* string `handle`"):
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
