"""``KerasLayer(handle, tags=...)`` saves the tag set it loaded in its config."""

from __future__ import annotations

import pytest

import hubcompat

from tests.support.paths import FIXTURES


@pytest.mark.parametrize("tags", ["train", ["train"], {"train"}])
def test_one_tag_as_a_str_is_saved_as_that_tag(tags):
    # tf.saved_model.load and hubcompat.load take a str as one tag; the config must too
    # (it held the str's letters, and from_config then asked for a tag set "a,i,n,r,t").
    layer = hubcompat.KerasLayer(str(FIXTURES / "mlp_bn"), tags=tags)
    config = layer.get_config()
    assert config["tags"] == ["train"]
    clone = hubcompat.KerasLayer.from_config(config)
    assert clone.get_config() == config
