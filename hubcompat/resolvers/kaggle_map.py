"""tfhub.dev model names and the Kaggle Models handles tfhub.dev redirects them to.

Kept short on purpose: a wrong pair would fetch the wrong model, so only pairs
with a public source are listed (see the comments). Add your own with
``TfhubDevResolver(mapping={...})`` and :func:`hubcompat.resolvers.register`.
Keys are ``publisher/model/version`` as in the tfhub.dev URL; values are
kagglehub handles ``owner/model/framework/variation/version``.
"""

from __future__ import annotations

TFHUB_TO_KAGGLE: dict[str, str] = {
    # The redirect quoted in tensorflow/hub#932.
    "deepmind/i3d-kinetics-400/1": "deepmind/i3d-kinetics/tensorFlow1/400/1",
    # Public code that swapped tfhub.dev/google/universal-sentence-encoder/4 for
    # kaggle.com/models/google/universal-sentence-encoder/TensorFlow2/universal-sentence-encoder/2.
    "google/universal-sentence-encoder/4": "google/universal-sentence-encoder/tensorFlow2/universal-sentence-encoder/2",
}
