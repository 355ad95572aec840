"""Small libcst helpers: read call arguments and literals, build expressions."""

from __future__ import annotations

import dataclasses

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


#: Fields in source order where the dataclass order differs (decorators come first).
_SOURCE_ORDER: dict[type, tuple[str, ...]] = {
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.IfExp: ("body", "test", "orelse"),
}
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that can hold expressions or statements, in source order
    (whitespace, commas, parentheses and other tokens left out)."""
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        order = _SOURCE_ORDER.get(kind) or tuple(f.name for f in dataclasses.fields(kind))
        names = _CHILD_FIELDS[kind] = tuple(
            n for n in order if n not in _TOKENS and not n.startswith("whitespace")
        )
    return names


_TOKENS = frozenset(
    {
        "lpar", "rpar", "comma", "colon", "first_colon", "second_colon", "dot", "equal",
        "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
        "empty_lines", "comment", "newline", "trailing_whitespace", "leading_whitespace",
        "lbrace", "rbrace", "lbracket", "rbracket", "operator", "relative", "posonly_ind",
        "asynchronous", "whitespace",
    }
)  # fmt: skip


def children(node: cst.CSTNode, fields: tuple[str, ...] | None = None) -> list[cst.CSTNode]:
    """``node``'s child expressions and statements, in source order (no visitor dispatch);
    with ``fields``, only those (a subset of :func:`child_fields`)."""
    found: list[cst.CSTNode] = []
    for name in child_fields(type(node)) if fields is None else fields:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, cst.CSTNode))
    return found


def calls_in(node: cst.CSTNode) -> list[cst.Call]:
    """Every Call under ``node`` (itself included), in source order, outer before inner."""
    found: list[cst.Call] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            found.append(current)
        stack.extend(reversed(children(current)))
    return found
