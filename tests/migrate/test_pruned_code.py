"""``Pruner.code`` (the file's own text for unchanged statements) is ``Module.code``.

For every Python file of the sample tree and of the modern programs, and for
layouts that stress the line model (CRLF, lone CR, no final newline, comments
in the header and footer, decorators, ``a; b``, backslash continuations,
form feeds), each top-level statement is replaced (a TODO comment added above
it), removed, and a new statement inserted before it: the pieced-together text
must be what libcst generates for the whole module.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from hubcompat.migrate.prune import Pruner

from tests.support.paths import MIGRATE_SAMPLES

HERE = Path(__file__).resolve().parent
FILES = MIGRATE_SAMPLES

LAYOUTS = {
    "crlf": "import tensorflow_hub as hub\r\n\r\n# c\r\nx = hub.load('h')\r\ny = 1\r\n",
    "lone_cr": "import os\r# c\rx = 1\ry = 2\r",
    "no_final_newline": "import os\n\nx = 1\ny = 2",
    "header_footer": "#!/usr/bin/env python\n# header\n\nimport os\nx = 1\n\n# footer\n\n",
    "decorators": "import f\n\n\n@f.a\n@f.b(\n    1)\ndef g():\n    pass\n# tail\nclass C:\n    x = 1\n",
    "semicolons": "import os; import sys\nx = 1; y = 2  # c\nz = 3\n",
    "continuation": "x = 1 + \\\n    2\nif x:\n    y = [\n        1,\n    ]\nelse:\n    pass\n",
    "form_feed": "import os\n\x0c\ndef f():\n    pass\n\x0c\nx = 1\n",
    "blank_lines": "\n\nx = 1\n\ny = 2\n\n\n",
}


def _cases() -> list[tuple[str, str]]:
    cases = [(name, text) for name, text in LAYOUTS.items()]
    cases += [(str(p.relative_to(HERE)), p.read_text(encoding="utf-8")) for p in FILES]
    return cases


@pytest.mark.parametrize(("name", "text"), _cases(), ids=[n for n, _ in _cases()])
def test_pieced_code_is_module_code(name: str, text: str) -> None:
    original = cst.parse_module(text)
    pruner = Pruner.build(text, original)
    assert pruner is not None, name
    assert pruner.code(original, original) == original.code
    todo = cst.EmptyLine(comment=cst.Comment("# TODO(hubcompat): x"))
    new = cst.parse_statement("added = 1\n")
    for index, statement in enumerate(original.body):
        body = list(original.body)
        body[index] = statement.with_changes(leading_lines=[*statement.leading_lines, todo])
        variants = [
            body,
            [*original.body[:index], *original.body[index + 1 :]],
            [*original.body[:index], new, *original.body[index:]],
        ]
        for variant in variants:
            tree = original.with_changes(body=variant)
            assert pruner.code(tree, original) == tree.code, (name, index)
