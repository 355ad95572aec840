"""The one interface behind ``hub.Module``: what a graph or an eager instance provides.

As tensorflow_hub 0.15's ``ModuleImpl``: :class:`~hubcompat.legacy.module.Module`
picks an implementation once, when it is created, and delegates every call
to it. ``graph_module.GraphModule`` (tf.compat.v1 graphs and Sessions) and
``eager_module.EagerModule`` (eager code and ``tf.function``) satisfy it.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class ModuleImpl(Protocol):
    """One instance of a module's state, and the calls that use it."""

    def __init__(self, spec: Any, tags: frozenset[str], trainable: bool, name: str) -> None:
        """Creates the module's state (``spec`` is a ModuleSpec, ``tags`` one of its tag sets)."""

    @property
    def name(self) -> str:
        """The module's name (in graph mode, its variable scope)."""

    def check_graph(self) -> None:
        """Raises GraphMismatchError when the module cannot be applied in the current graph."""

    def convert_inputs(self, given: dict, infos: dict) -> dict:
        """The caller's values (keyed like the signature), as this implementation takes them."""

    def apply(self, signature: str, inputs: dict) -> dict:
        """The signature's outputs for ``inputs`` (from :meth:`convert_inputs`), by key."""

    def export(self, path: str, session: Any) -> None:
        """Writes the module with its variables' current values (``session`` in graph mode)."""

    @property
    def variable_map(self) -> dict:
        """Module-relative variable names -> variables (a list for partitioned ones)."""

    @property
    def trainable_variables(self) -> list:
        """The trainable variables of a ``trainable=True`` module."""

    @property
    def regularization_losses(self) -> list:
        """Graph mode: the loss tensors; eagerly: no-argument callables."""
