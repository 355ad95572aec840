"""``setup.py`` requirement strings naming tensorflow-hub -> ``hubcompat``.

Why: after the migration the code imports hubcompat, so ``install_requires=
["tensorflow-hub>=0.7"]`` installs a package nothing uses (and, pinned, an old
TensorFlow). In ``setup.py`` only, every string literal that is a whole PEP 508
requirement named tensorflow-hub (any spelling: ``tensorflow_hub``,
``TensorFlow-Hub``) is rewritten as ``hubcompat.migrate.dependencies`` does for
requirements files (they become the requirement that installs the running
hubcompat, markers stay, quotes stay); URL requirements and extras get a TODO, and
so does a TensorFlow pin that excludes TensorFlow 2.13+ (``"tensorflow<2"``) in a
setup.py that declares tensorflow-hub, as in the other files. requirements*.txt,
setup.cfg, pyproject.toml and notebook ``!pip install`` lines are handled by
the same rules outside the codemods.
"""

from __future__ import annotations

import os
import re

import libcst as cst

from hubcompat.codemods._base import BOTH, HubCodemod
from hubcompat.codemods._syntax import literal_string

_HUB = re.compile(r"(?i)tensorflow[-_.]hub")
_HUB_REQUIREMENT = re.compile(r"""(?i)['"]\s*tensorflow[-_.]hub\s*(?:[\[<>=!~;@'"])""")
_TF = re.compile(r"(?i)tensorflow|tf-nightly")


class DependenciesCommand(HubCodemod):
    DESCRIPTION = "setup.py requirement strings: tensorflow-hub -> hubcompat."
    TARGETS = BOTH
    ORDER = 80
    TRIGGERS = ("tensorflow-hub", "tensorflow_hub", "tensorflow.hub")

    @classmethod
    def wants(cls, text: str) -> bool:
        return "setup" in text and _HUB.search(text) is not None

    def visit_Module(self, node: cst.Module) -> bool:
        # TensorFlow pins matter only beside a tensorflow-hub requirement (as in
        # requirements files): "tensorflow-hub..." as a whole string literal.
        self._declares_hub = _HUB_REQUIREMENT.search(node.code) is not None
        return os.path.basename(self.context.filename or "") == "setup.py"

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        value = literal_string(original_node)
        if value is None or not _TF.search(value) or "\\" in original_node.value:
            return updated_node
        from hubcompat.migrate.dependencies import rewrite_requirement

        new, change, todo = rewrite_requirement(value)
        if todo and ("TensorFlow 2.13+" not in todo or self._declares_hub):
            self.todo(original_node, todo)
        if not change:
            return updated_node
        self.changed(original_node, change)
        quote_at = len(original_node.prefix)
        quote = original_node.quote
        return updated_node.with_changes(value=original_node.value[:quote_at] + quote + new + quote)
