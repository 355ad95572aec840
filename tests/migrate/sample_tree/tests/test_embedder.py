from unittest import mock

import tensorflow_hub as hub


@mock.patch("tensorflow_hub.Module")
def test_embedder_builds_module(module_cls):
    hub.Module("https://tfhub.dev/google/nnlm-en-dim128/1")
    module_cls.assert_called_once()
