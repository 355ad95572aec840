"""KerasLayer behaves as genuine hub.KerasLayer did (tests/genuine_parity, the Keras probes).

Runs under Keras 3 and, in CI, again with TF_USE_LEGACY_KERAS=1 (tf-keras);
genuine.json holds what tensorflow_hub 0.15.0 (tf-keras, TF 2.15) did.
"""

from __future__ import annotations

import sys

import pytest

from tests.support.paths import GENUINE_PARITY

sys.path.insert(0, str(GENUINE_PARITY))
import parity

import hubcompat


@pytest.mark.parametrize("name", parity.names(keras=True))
def test_keras_layer_does_what_hub_keras_layer_did(name):
    parity.check(name, hubcompat)
