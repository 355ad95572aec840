"""Make ``hubcompat.codemods`` importable from a source checkout.

pyproject maps the top-level ``codemods/`` folder to the package
``hubcompat.codemods`` (a top-level ``codemods`` package would collide with
other distributions). Built wheels and editable installs carry that mapping;
a plain checkout on ``sys.path`` (``pytest`` with ``pythonpath=["."]``,
``python -m libcst.tool codemod`` from the repo) does not. This finder, added
at the *end* of ``sys.meta_path`` so that any installed copy wins, resolves
only that one name, and only when ``hubcompat/`` sits next to the
``pyproject.toml`` and ``codemods/`` of this project.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys

_NAME = "hubcompat.codemods"
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _CodemodsFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):  # noqa: ANN001 - importlib protocol
        if fullname != _NAME:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [_ROOT])


def install() -> None:
    """Register the finder once, if this is a source checkout."""
    if not (
        os.path.isfile(os.path.join(_ROOT, "codemods", "__init__.py"))
        and os.path.isfile(os.path.join(_ROOT, "pyproject.toml"))
    ):
        return
    if not any(f is _CodemodsFinder for f in sys.meta_path):
        sys.meta_path.append(_CodemodsFinder)
