"""The interface every resolver implements."""

from __future__ import annotations

import abc


class Resolver(abc.ABC):
    """Turns one kind of handle into a local folder.

    ``is_supported`` must be cheap and never touch the network: the registry
    asks every resolver in turn. ``__call__`` does the work and returns the
    path of a folder (or, for remote filesystems, a path TensorFlow reads).
    """

    #: What the resolver accepts, shown in the error for an unresolvable handle.
    description: str = ""

    @abc.abstractmethod
    def is_supported(self, handle: str) -> bool:
        """True when ``handle`` has this resolver's form (not that it exists)."""

    @abc.abstractmethod
    def __call__(self, handle: str) -> str:
        """Returns the local path of ``handle``; raises a hubcompat error if it cannot."""

    def __repr__(self) -> str:
        return type(self).__name__
