"""``tf1_program``: the TF1 code around the hub calls, onto the newest TensorFlow.

Why: after only the hub calls move, a TF1-era program dies on its first TF1
line (``module 'tensorflow' has no attribute 'Session'``). This applies
TensorFlow's migration guide's first step where a file is TF1 graph code
(``import tensorflow.compat.v1 as tf`` + ``tf.disable_v2_behavior()``),
spells TF1 names ``tf.compat.v1.<name>`` where a file mixes in TF2-only APIs,
moves ``tf.contrib.slim`` to ``tf_slim``, keeps Keras 2 code on tf-keras, and
names what cannot run on the newest TensorFlow (``tf.estimator``, contrib
modules without successor) with the way out. Files without tensorflow_hub
references are migrated too. The work is text edits from ``ast``
(``_tf1.py``), run by the runner before libcst parses the file.
"""

from __future__ import annotations

from typing import Any, ClassVar

import libcst as cst

from hubcompat.codemods import _tf1
from hubcompat.codemods._base import BOTH, HubCodemod
from hubcompat.codemods._keys import EVENTS_KEY


class Tf1Program(HubCodemod):
    DESCRIPTION = (
        "TF1 graph code onto TF 2 (compat.v1 + disable_v2_behavior, or tf.compat.v1.X in "
        "mixed files), tf.contrib.slim -> tf_slim, Keras 2 -> tf-keras; flags tf.estimator "
        "and contrib without successor"
    )
    TARGETS = BOTH
    ORDER = 5
    TRIGGERS: ClassVar[tuple[str, ...]] = ("tensorflow",)
    TEXT_LEVEL = True

    @classmethod
    def rewrite_text(cls, text: str) -> tuple[str, list[dict[str, Any]]]:
        """The new text and the report events (with ``needs``: packages to require)."""
        result = _tf1.rewrite(text)
        events = [{"codemod": cls.name(), **event} for event in result.events]
        if result.needs and events:
            events[0]["needs"] = sorted(result.needs)
        return result.text, events

    def transform_module(self, tree: cst.Module) -> cst.Module:
        # Under libcst.tool / the tests' helpers: the same text edits on the module's code.
        text, events = self.rewrite_text(tree.code)
        self.context.scratch.setdefault(EVENTS_KEY, []).extend(events)
        if text == tree.code:
            return tree
        self.modified = True
        return cst.parse_module(text)
