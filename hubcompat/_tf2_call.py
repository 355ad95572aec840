"""What a TF2 SavedModel's ``__call__`` takes: the one reading of its traces.

A restored ``__call__`` is a function with one concrete function per trace
that was saved (``tf.saved_model.save`` keeps every trace of a
``tf.function``); each trace's ``structured_input_signature`` is
``(args, kwargs)``, nests of ``tf.TypeSpec`` and the Python values it was
traced with (``training=True``). A ``tf.function`` with an
``input_signature`` declares its inputs instead. ``KerasLayer`` (input
dtypes and shape), ``check`` (which inputs to feed) and ``inspect`` (whether
it takes ``training``) read them through here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CallTrace:
    """The structured inputs one trace of ``__call__`` was made for."""

    args: tuple = ()  # positional: TypeSpecs, nests of them, or Python values
    kwargs: dict[str, Any] = field(default_factory=dict)


def call_function(obj: Any) -> Callable | None:
    """``obj.__call__`` when ``obj`` is callable, else None."""
    return obj.__call__ if callable(obj) else None


def call_traces(obj: Any) -> list[CallTrace]:
    """One :class:`CallTrace` per concrete function of ``obj.__call__``, in their order
    (none when ``obj`` is not callable or its ``__call__`` is not a traced function)."""
    function = call_function(obj)
    traces = []
    for concrete in getattr(function, "concrete_functions", None) or []:
        args, kwargs = concrete.structured_input_signature
        traces.append(CallTrace(tuple(args), dict(kwargs)))
    return traces


def declared_input_signature(obj: Any) -> tuple | None:
    """The ``input_signature`` ``obj.__call__`` was declared with, or None."""
    signature = getattr(call_function(obj), "input_signature", None)
    return tuple(signature) if signature else None


def call_parameters(obj: Any) -> list[str]:
    """The parameter names of ``obj.__call__`` (empty when they cannot be read)."""
    function = call_function(obj)
    if function is None:
        return []
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return []


def takes_training(obj: Any) -> bool:
    """Whether ``obj.__call__`` has a ``training`` parameter."""
    return "training" in call_parameters(obj)
