"""tfhub.dev model names and the Kaggle Models handles tfhub.dev redirects them to.

Only pairs confirmed from tfhub.dev's redirects are listed; add your own with
``TfhubDevResolver(mapping={...})`` and :func:`hubcompat.resolvers.register`.
Keys are ``publisher/model/version`` as in the tfhub.dev URL; values are
kagglehub handles ``owner/model/framework/variation/version``.
"""

from __future__ import annotations

TFHUB_TO_KAGGLE: dict[str, str] = {
    "google/universal-sentence-encoder/4": "google/universal-sentence-encoder/tensorFlow2/universal-sentence-encoder/2",
    "deepmind/i3d-kinetics-400/1": "deepmind/i3d-kinetics/tensorFlow1/400/1",
    "google/nnlm-en-dim128/2": "google/nnlm/tensorFlow2/en-dim128/2",
    "google/yamnet/1": "google/yamnet/tensorFlow2/yamnet/1",
}
