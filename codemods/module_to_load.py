"""``hub.Module`` objects in eager / Keras code -> ``hub.load`` or ``hub.KerasLayer``.

Why: ``hub.Module`` is the TF1 API; it builds ops into the default graph and
needs a Session, so it cannot run eagerly (tensorflow_hub 0.15 raises
``RuntimeError`` under eager execution). The TF2 replacements, per the
tensorflow_hub migration guide (https://www.tensorflow.org/hub/migration_tf2):

- ``m = hub.Module(h, tags=t)`` (not trainable) -> ``m = hub.load(h, tags=t)``.
  ``m(x)`` (one input, default signature, default output) stays ``m(x)``: the
  object's own ``__call__`` does that on ``hubcompat.load`` results and on
  SavedModels ``hubcompat convert`` wrote. Every other call becomes a
  signature call, which in TF2 takes keyword arguments only: a dict literal
  input gives its keys (``m.signatures["s"](a=a, b=b)``), a name bound to a
  dict ``**feats``, and one unnamed input goes under the signature's only
  input name (``**dict(zip(f.structured_input_signature[1], [x]))``, what TF1
  did). Without ``as_dict`` the ``"default"`` output is picked:
  ``m.signatures["s"](...)["default"]``.
- ``m = hub.Module(h, trainable=True)`` -> ``hub.KerasLayer(h, trainable=True,
  signature=..., output_key="default" | signature_outputs_as_dict=True)`` and
  ``m(x, ...)`` -> ``m(x)``; a layer has one signature, so all calls must
  agree.

Only in files without TF1 graph machinery (Sessions, collections,
placeholders, Estimators): there ``hub.Module`` stays (hubcompat runs it) and
``no_equivalent`` leaves a TODO. Anything else (the object stored on
``self``, passed around, exported, built from a ``ModuleSpec``) is left
unchanged with a TODO.
"""

from __future__ import annotations

from dataclasses import dataclass
from keyword import iskeyword

import libcst as cst

from hubcompat.codemods._base import MODERN, HubCodemod
from hubcompat.codemods._bindings import assigned_value, parent, references
from hubcompat.codemods._graph import is_graph_code
from hubcompat.codemods._imports import renamed_import
from hubcompat.codemods._names import (
    IMAGE_HELPERS,
    METHODS,
    hub_attr,
    hub_call_attr,
)
from hubcompat.codemods._syntax import (
    arg_value,
    attribute,
    calls_in,
    has_star_args,
    is_none,
    keyword_arg,
    literal_bool,
    literal_string,
    positional,
    sibling_name,
    string,
    subscript,
)

SPEC_FACTORIES = frozenset({"load_module_spec", "create_module_spec"})


# The plans: one frozen dataclass per kind of rewrite (the repeated shape is the
# dataclass boilerplate, the fields differ).
@dataclass(frozen=True)
class Load:
    """``hub.Module(h, tags=t)`` -> ``hub.load(h, tags=t)``."""


@dataclass(frozen=True)
class Keras:
    """``hub.Module(h, trainable=True)`` -> ``hub.KerasLayer(h, trainable=True, ...)``."""

    signature: str | None
    as_dict: bool


@dataclass(frozen=True)
class CallKeras:
    """A call of a module that became a KerasLayer: ``m(x)``."""


@dataclass(frozen=True)
class CallLoad:
    """A call of a module that became ``hub.load``: the object or a signature."""

    signature: str | None
    as_dict: bool
    #: "none", "dict_literal", "dict_name" (a name bound to a dict) or "single"
    inputs: str


Plan = Load | Keras | CallKeras | CallLoad


class _Skip(Exception):
    """No safe rewrite: the message becomes a TODO."""


class ModuleToLoadCommand(HubCodemod):
    DESCRIPTION = (
        "hub.Module in eager/Keras code -> hub.load(...).signatures[...] or hub.KerasLayer."
    )
    TARGETS = MODERN
    POSITIONS = True
    EAGER_ONLY = True
    ORDER = 20
    TRIGGERS = ("Module",)
    HUB_NAMES = ("Module",)

    def visit_Module(self, node: cst.Module) -> bool:
        self._plan: dict[cst.CSTNode, Plan] = {}
        self._skips: dict[cst.CSTNode, str] = {}
        if is_graph_code(self):
            return False
        for call in calls_in(node):
            if hub_attr(self, call.func) == "Module":
                try:
                    self._analyse(call)
                except _Skip as skip:
                    self._skips[call] = str(skip)
        return self.walk_only_to([*self._plan, *self._skips])

    # -- analysis (on the original tree) --------------------------------------

    def _analyse(self, call: cst.Call) -> None:
        if has_star_args(call):
            raise _Skip("hub.Module(*args/**kwargs): rewrite to hub.load/hub.KerasLayer by hand")
        handle = arg_value(call, 0, "spec")
        if handle is None:
            raise _Skip("hub.Module without a handle: rewrite by hand")
        if (
            hub_call_attr(self, assigned_value(self, handle)) in SPEC_FACTORIES
            or hub_call_attr(self, handle) in SPEC_FACTORIES
        ):
            raise _Skip(
                "hub.Module built from a ModuleSpec: pass the module handle to hub.load / hub.KerasLayer"
            )
        trainable_node = arg_value(call, 1, "trainable")
        trainable = False if trainable_node is None else literal_bool(trainable_node)
        if trainable is None:
            raise _Skip(
                "hub.Module(trainable=<expression>): choose hub.load or hub.KerasLayer by hand"
            )
        allowed = {"spec", "trainable", "name", "tags"}
        if any(a.keyword is not None and a.keyword.value not in allowed for a in call.args):
            raise _Skip("hub.Module with unknown arguments: rewrite by hand")

        holder = parent(self, call)
        uses: list[cst.Call] = []
        if isinstance(holder, cst.Call) and holder.func is call:
            uses.append(holder)
        else:
            target = _assign_target(holder, call)
            if target is None:
                raise _Skip(
                    "hub.Module object not bound to a plain name: move to hub.load / hub.KerasLayer by hand"
                )
            refs = references(self, target)
            if refs is None:
                raise _Skip(f"`{target.value}` is bound more than once: rewrite by hand")
            if not refs:
                raise _Skip(
                    f"`{target.value}` is not used in this file (imported elsewhere?): "
                    "move its users to hub.load / hub.KerasLayer by hand"
                )
            other = False
            for ref in refs:
                use = self._classify_use(ref)
                if use is None:
                    raise _Skip(
                        f"`{target.value}` is used as a hub.Module object beyond calls "
                        "(passed on, stored, exported, other attributes): rewrite by hand"
                    )
                if isinstance(use, cst.Call):
                    uses.append(use)
                else:
                    other = True
            if trainable and other:
                raise _Skip(
                    f"trainable `{target.value}` is also inspected (signature info / image size): "
                    "hub.KerasLayer has no such methods; rewrite by hand"
                )
        call_plans = [self._analyse_use(use) for use in uses]
        for use, (sig, as_dict, input_kind) in zip(uses, call_plans, strict=True):
            inline = use.func is call
            if (
                inline
                and not trainable
                and input_kind == "single"
                and (as_dict or sig not in (None, "default"))
            ):
                raise _Skip(
                    "hub.Module(...)(x, signature=/as_dict=) with one unnamed input: bind "
                    "hub.load(...) to a name first, or pass a dict of input names"
                )
        if trainable:
            forms = {(sig, as_dict) for sig, as_dict, _ in call_plans}
            if len(forms) > 1:
                raise _Skip(
                    "trainable hub.Module called with several signatures/as_dict: "
                    "hub.KerasLayer takes one signature per layer; split it by hand"
                )
            sig, as_dict = forms.pop() if forms else (None, False)
            self._plan[call] = Keras(sig, as_dict)
            for use in uses:
                self._plan[use] = CallKeras()
            self.changed(call, "hub.Module(trainable=True) -> hub.KerasLayer")
        else:
            self._plan[call] = Load()
            for use, (sig, as_dict, inputs) in zip(uses, call_plans, strict=True):
                self._plan[use] = CallLoad(sig, as_dict, inputs)
            self.changed(call, "hub.Module -> hub.load with .signatures[...] calls")

    def _classify_use(self, ref: cst.CSTNode) -> cst.Call | str | None:
        holder = parent(self, ref)
        if isinstance(holder, cst.Call) and holder.func is ref:
            return holder
        if isinstance(holder, cst.Attribute) and holder.value is ref:
            grand = parent(self, holder)
            if (
                holder.attr.value in METHODS
                and isinstance(grand, cst.Call)
                and grand.func is holder
            ):
                return "info"
        if isinstance(holder, cst.Arg) and holder.keyword is None:
            grand = parent(self, holder)
            if isinstance(grand, cst.Call) and hub_attr(self, grand.func) in IMAGE_HELPERS:
                if grand.args and grand.args[0] is holder:
                    return "image"
        return None

    def _analyse_use(self, use: cst.Call) -> tuple[str | None, bool, str]:
        if has_star_args(use):
            raise _Skip("hub.Module called with *args/**kwargs: rewrite by hand")
        if any(
            a.keyword is not None and a.keyword.value not in {"inputs", "signature", "as_dict"}
            for a in use.args
        ):
            raise _Skip("hub.Module called with unknown arguments: rewrite by hand")
        sig_node = arg_value(use, 1, "signature")
        sig = None if sig_node is None or is_none(sig_node) else literal_string(sig_node)
        if sig_node is not None and not is_none(sig_node) and sig is None:
            raise _Skip("hub.Module called with a computed signature name: rewrite by hand")
        as_dict_node = arg_value(use, 2, "as_dict")
        as_dict = (
            False if as_dict_node is None or is_none(as_dict_node) else literal_bool(as_dict_node)
        )
        if as_dict is None:
            raise _Skip("hub.Module called with a computed as_dict: rewrite by hand")
        return sig, as_dict, self._input_kind(arg_value(use, 0, "inputs"))

    def _input_kind(self, inputs: cst.BaseExpression | None) -> str:
        if inputs is None:
            return "none"
        if isinstance(inputs, cst.Dict):
            return "dict_literal"
        value = assigned_value(self, inputs)
        if isinstance(value, (cst.Dict, cst.DictComp)) or (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Name)
            and value.func.value == "dict"
        ):
            return "dict_name"
        return "single"

    # -- rewriting ------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        message = self._skips.get(node)
        if message:
            self.todo(node, message)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        plan = self._plan.get(original_node)
        if plan is None:
            return updated_node
        if isinstance(plan, Load):
            return self._build_module(original_node, updated_node, "load", [])
        if isinstance(plan, Keras):
            sig, as_dict = plan.signature, plan.as_dict
            extra = [keyword_arg("trainable", cst.Name("True"))]
            if as_dict:
                extra.append(keyword_arg("signature", string(sig or "default")))
                extra.append(keyword_arg("signature_outputs_as_dict", cst.Name("True")))
            elif sig is not None:
                extra.append(keyword_arg("signature", string(sig)))
                extra.append(keyword_arg("output_key", string("default")))
            return self._build_module(original_node, updated_node, "KerasLayer", extra)
        inputs = _inputs_arg(updated_node)
        if isinstance(plan, CallKeras):
            return updated_node.with_changes(args=[] if inputs is None else [inputs])
        sig, as_dict, input_kind = plan.signature, plan.as_dict, plan.inputs
        if input_kind == "single" and not as_dict and sig in (None, "default"):
            # The object's own __call__: hubcompat.load's and a converted SavedModel's
            # take the single input and return the "default" output, as TF1 did.
            return updated_node.with_changes(args=[inputs])
        function = subscript(attribute(updated_node.func, "signatures"), string(sig or "default"))
        value = None if inputs is None else inputs.value
        if input_kind == "single":
            # TF2 signatures take keyword arguments only; TF1 filled the only input.
            args = [cst.Arg(value=_only_input(function, value), star="**")]
        else:
            args = _signature_args(value, input_kind)
        result: cst.BaseExpression = updated_node.with_changes(func=function, args=args)
        if not as_dict:
            result = subscript(result, string("default"))
        return result

    def _build_module(
        self, original: cst.Call, updated: cst.Call, new_name: str, extra: list[cst.Arg]
    ) -> cst.Call:
        handle = arg_value(updated, 0, "spec")
        tags = arg_value(updated, 3, "tags")
        args = [positional(value=handle)]
        if new_name == "KerasLayer":
            args += extra[:1]
        if tags is not None and not is_none(tags):
            args.append(keyword_arg("tags", tags))
        if new_name == "KerasLayer":
            args += extra[1:]
        if isinstance(updated.func, cst.Name):
            renamed_import(self, original.func, new_name)
        return cst.Call(func=sibling_name(updated.func, new_name), args=args)


def _inputs_arg(call: cst.Call) -> cst.Arg | None:
    """The inputs argument as a positional one, carrying the call's closing layout."""
    for index, arg in enumerate(call.args):
        if (arg.keyword is None and index == 0) or (arg.keyword and arg.keyword.value == "inputs"):
            return arg.with_changes(
                keyword=None, equal=cst.MaybeSentinel.DEFAULT, comma=call.args[-1].comma
            )
    return None


def _signature_args(inputs: cst.BaseExpression | None, kind: str) -> list[cst.Arg]:
    if inputs is None:
        return []
    if kind == "dict_literal" and isinstance(inputs, cst.Dict):
        keys = [
            literal_string(el.key) if isinstance(el, cst.DictElement) else None
            for el in inputs.elements
        ]
        if all(k is not None and k.isidentifier() and not iskeyword(k) for k in keys):
            return [
                keyword_arg(k, el.value)
                for k, el in zip(keys, inputs.elements, strict=True)
            ]
    return [cst.Arg(value=inputs, star="**")]


def _only_input(function: cst.BaseExpression, value: cst.BaseExpression | None) -> cst.Call:
    """``dict(zip(f.structured_input_signature[1], [x]))``: ``x`` under the signature's
    one input name (a signature with more inputs then fails, as TF1 did)."""
    names = subscript(attribute(function, "structured_input_signature"), cst.Integer("1"))
    assert value is not None
    zipped = cst.Call(
        func=cst.Name("zip"),
        args=[cst.Arg(value=names), cst.Arg(value=cst.List([cst.Element(value=value)]))],
    )
    return cst.Call(func=cst.Name("dict"), args=[cst.Arg(value=zipped)])


def _assign_target(parent: cst.CSTNode | None, call: cst.Call) -> cst.Name | None:
    if isinstance(parent, cst.Assign) and parent.value is call and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.AnnAssign) and parent.value is call:
        return parent.target if isinstance(parent.target, cst.Name) else None
    return None
