"""The cheap name analysis (``codemods/_names``, ``_bindings``, ``_imports``) changes no output.

Every codemod runs twice on each source: as the runner runs it, and with the
file's ``FileNames`` marked inexact, which sends every name, binding and
import question to libcst's scope / qualified-name analysis and import
helpers (what the codemods did before). Text and events must be the same.
The sources: every Python file of the sample tree and of the modern programs,
and files whose names are ambiguous on purpose (rebound aliases, imports in
functions, class bodies, star imports, shadowed names).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext

from hubcompat.codemods._keys import EVENTS_KEY, GRAPH_KEY, NAMES_KEY, TEXT_KEY
from hubcompat.codemods._names import FileNames
from hubcompat.migrate import registry
from hubcompat.migrate.transform import run_codemods

from tests.support.paths import MIGRATE_SAMPLES

HERE = Path(__file__).resolve().parent
FILES = MIGRATE_SAMPLES

AMBIGUOUS = {
    "rebound_alias": """
        import tensorflow_hub as hub
        m = hub.Module("h")
        y = m(x)
        hub = None
    """,
    "alias_in_function": """
        def f(x):
            import tensorflow_hub as hub
            m = hub.Module("h")
            return m(x, signature="s", as_dict=True)
        hub = object()
        hub.Module("not hub")
    """,
    "class_body": """
        import tensorflow_hub as hub
        class A:
            m = hub.Module("h")
            y = m(x)
    """,
    "star_import": """
        from tensorflow_hub import *
        from other import *
        m = Module("h")
        y = m(x)
    """,
    "other_star_import": """
        from other import *
        import tensorflow_hub as hub
        from tensorflow_hub import Module, load_module_spec
        from more import *
        m = Module("h")
        y = m(x)
        spec = load_module_spec("h")
        names = spec.get_signature_names()
        size = hub.get_expected_image_size(hub.load("h"))
    """,
    "other_star_import_from_import": """
        from tensorflow.python.ops.gen_array_ops import *
        from tensorflow_hub import Module
        def f(images):
            module = Module("h")
            return module(images, signature="s", as_dict=True)["default"]
    """,
    "shadowed_module_name": """
        from tensorflow_hub import Module
        def g(Module):
            return Module("h")
        m = Module("h")
        y = m(x)
    """,
    "name_bound_twice": """
        import tensorflow_hub as hub
        m = hub.Module("h")
        y = m(x)
        for m in range(3):
            print(m)
    """,
    "partial_rename": """
        from tensorflow_hub import Module, load_module_spec
        spec = load_module_spec("h")
        print(spec.get_signature_names())
        m = Module(spec)
        n = Module("h2")
        z = n({"a": a})
        print(load_module_spec)
    """,
    "use_left_after_rename": """
        from tensorflow_hub import load_module_spec
        spec = load_module_spec("h")
        print(spec.get_signature_names())
        other = load_module_spec("h2")
        other.export("x")
    """,
    "uses_in_other_function": """
        import tensorflow_hub as hub
        def f(x):
            m = hub.Module("h")
            return m({"a": x})
        def g(x):
            return m(x, signature="s")
        images = {"images": x}
        h, w = hub.get_expected_image_size(hub.load("h"))
        c = hub.get_num_image_channels(hub.load_module_spec("h"))
    """,
}


def _full_resolution(text: str, codemods: list[type], filename: str) -> tuple[str, list]:
    """The codemods on the whole module, every question answered by libcst."""
    tree = cst.parse_module(text)
    events: list = []
    for command in codemods:
        if not command.wants(tree.code):
            continue
        scratch = {EVENTS_KEY: [], TEXT_KEY: text, NAMES_KEY: FileNames(exact=False)}
        tree = command(CodemodContext(filename=filename, scratch=scratch)).transform_module(tree)
        events += scratch[EVENTS_KEY]
    return tree.code, events


def _cheap(text: str, codemods: list[type], filename: str) -> tuple[str, list]:
    tree = cst.parse_module(text)
    events: list = []
    for command in codemods:
        if not command.wants(tree.code):
            continue
        scratch = {EVENTS_KEY: [], TEXT_KEY: text}
        tree = command(CodemodContext(filename=filename, scratch=scratch)).transform_module(tree)
        events += scratch[EVENTS_KEY]
    return tree.code, events


def _sources() -> list[tuple[str, str]]:
    found = [(str(p.relative_to(HERE)), p.read_text(encoding="utf-8")) for p in FILES]
    found += [(f"{name}.py", textwrap.dedent(src)) for name, src in AMBIGUOUS.items()]
    return found


@pytest.mark.parametrize(("name", "text"), _sources(), ids=[n for n, _ in _sources()])
def test_cheap_analysis_gives_what_full_resolution_gives(name, text):
    codemods = registry.select("modern")
    expected = _full_resolution(text, codemods, name)
    assert _cheap(text, codemods, name) == expected
    # and the runner (pruning, shared analysis) agrees; its lines are those of the file
    # as read, where a whole-module run counts TODO lines earlier codemods added
    new, events = run_codemods(text, codemods, name)
    assert new == expected[0]
    assert [{**e, "line": 0} for e in events] == [{**e, "line": 0} for e in expected[1]]


def test_ambiguous_names_fall_back_to_libcst():
    text = textwrap.dedent(AMBIGUOUS["alias_in_function"])
    names = FileNames.from_text(text)
    assert "hub" not in names.hub and "hub" in names.hub_bound  # -> QualifiedNameProvider
    new, _ = run_codemods(text, registry.select("modern"), "f.py")
    assert 'hub.load("h")' in new and 'hub.Module("not hub")' in new
    star = FileNames.from_text(textwrap.dedent(AMBIGUOUS["star_import"]))
    assert not star.exact
    # libcst binds no names for a star import: one from another module keeps the fast path
    assert FileNames.from_text(textwrap.dedent(AMBIGUOUS["other_star_import"])).exact


def test_graph_key_is_not_needed_for_the_same_result():
    text = (HERE / "sample_tree").joinpath("estimator").glob("*.py").__next__().read_text()
    codemods = registry.select("modern")
    assert _cheap(text, codemods, "x.py")[0] == run_codemods(text, codemods, "x.py")[0]
    assert GRAPH_KEY  # the runner passes it; _graph computes it otherwise


class _VisitedCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.found.append(node)


DECORATED = """
@register(name=key("a"))
class A(Base(x()), metaclass=meta(y())):
    @property
    @cache(size=f(1) if g(2) else h(3))
    def m(self, a=default(), *, b: hint(t()) = other()) -> ret(r()):
        return [c(i) for i in it(j()) if cond(i)] or lam(lambda q=d(): e(q))
"""


@pytest.mark.parametrize(("name", "text"), [*_sources(), ("decorated.py", DECORATED)])
def test_calls_in_is_libcst_visit_order(name, text):
    """``_syntax.calls_in`` walks fields, not libcst's visitor: same calls, same order
    (codemod events and the runner's ast line pairing rely on source order)."""
    from hubcompat.codemods._syntax import calls_in

    module = cst.parse_module(text)
    visitor = _VisitedCalls()
    module.visit(visitor)
    assert calls_in(module) == visitor.found
