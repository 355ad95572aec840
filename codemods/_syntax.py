"""Small libcst helpers: read call arguments and literals, build expressions."""

from __future__ import annotations

import libcst as cst


def arg_value(call: cst.Call, position: int | None, keyword: str) -> cst.BaseExpression | None:
    """The value passed as ``keyword=`` or as the ``position``-th positional argument."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if position is not None and position < len(positional):
        return positional[position].value
    return None


def has_star_args(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def literal_string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def literal_bool(node: cst.BaseExpression | None) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def string(value: str) -> cst.SimpleString:
    return cst.SimpleString(repr(value) if '"' in value else f'"{value}"')


def sibling_name(func: cst.BaseExpression, attr: str) -> cst.BaseExpression:
    """``hub.Module`` -> ``hub.<attr>``; a bare ``Module`` -> ``<attr>``."""
    if isinstance(func, cst.Attribute):
        return func.with_changes(attr=cst.Name(attr))
    return cst.Name(attr)


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    no_space = cst.SimpleWhitespace("")
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space),
    )


def positional(arg: cst.Arg | None = None, value: cst.BaseExpression | None = None) -> cst.Arg:
    """A positional argument with the default comma (keeps the value's own formatting)."""
    if value is None:
        assert arg is not None
        value = arg.value
    return cst.Arg(value=value)


def subscript(value: cst.BaseExpression, key: cst.BaseExpression) -> cst.Subscript:
    return cst.Subscript(value=value, slice=[cst.SubscriptElement(slice=cst.Index(value=key))])


def attribute(value: cst.BaseExpression, *names: str) -> cst.BaseExpression:
    for name in names:
        value = cst.Attribute(value=value, attr=cst.Name(name))
    return value


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.found.append(node)


def calls_in(node: cst.CSTNode) -> list[cst.Call]:
    """Every Call under ``node``, in source order (a plain visit: matchers cost more)."""
    collector = _Calls()
    node.visit(collector)
    return collector.found
