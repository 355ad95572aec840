"""The cheap text tests that decide whether a codemod runs at all (no false negatives)."""

from __future__ import annotations

import textwrap

import pytest

from hubcompat.codemods._names import hub_references
from hubcompat.codemods.module_to_load import ModuleToLoadCommand
from hubcompat.migrate.transform import run_codemods


@pytest.mark.parametrize(
    ("source", "wanted"),
    [
        ("import tensorflow_hub as tfhub\nm = tfhub.Module(h)\n", True),
        ("import os, tensorflow_hub\nm = tensorflow_hub.Module(h)\n", True),
        ("def f():\n    from tensorflow_hub import (\n        Module as M,\n    )\n", True),
        ("from tensorflow_hub.module import Module\n", True),
        ("from tensorflow_hub import *\nModule(h)\n", True),
        # tf.Module is not hub.Module: the costly name analysis is skipped
        (
            "import tensorflow as tf\nimport tensorflow_hub as hub\nclass A(tf.Module): pass\n",
            False,
        ),
        ("import paddlehub as hub\nhub.Module(name='x')\n", False),
    ],
)
def test_module_to_load_wants(source, wanted):
    assert ModuleToLoadCommand.wants(source) is wanted


def test_hub_references():
    text = (
        "import numpy as np, hubcompat as hc\nfrom tensorflow_hub import load, KerasLayer as KL\n"
    )
    assert hub_references(text) == ({"hc"}, {"load", "KerasLayer"})


def test_codemods_chain_within_one_run():
    # module_to_load creates the hub.load binding that signature_info then rewrites
    source = textwrap.dedent(
        """
        import tensorflow_hub as hub
        m = hub.Module("h")
        names = m.get_signature_names()
        """
    )
    from hubcompat.migrate.registry import select

    text, events = run_codemods(source, select("modern"), "x.py")
    assert text == textwrap.dedent(
        """
        import hubcompat as hub
        m = hub.load("h")
        names = list(m.signatures.keys())
        """
    )
    assert [e["codemod"] for e in events] == [
        "module_to_load",
        "signature_info",
        "imports_to_hubcompat",
    ]
