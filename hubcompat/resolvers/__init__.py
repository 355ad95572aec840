"""Handle resolution: one small resolver per kind of handle, in an ordered registry.

``hubcompat.resolve(handle)`` is :func:`resolve`. Add your own kind of handle
with :func:`register` (a :class:`Resolver` with ``is_supported`` and
``__call__``); it is asked before the built-in ones.
"""

from __future__ import annotations

from hubcompat.resolvers.base import Resolver
from hubcompat.resolvers.kaggle_map import TFHUB_TO_KAGGLE
from hubcompat.resolvers.registry import register, reset, resolve, resolvers, unregister
from hubcompat.resolvers.tfhub_dev import TfhubDevResolver

__all__ = ["TFHUB_TO_KAGGLE", "Resolver", "TfhubDevResolver", "register", "reset", "resolve",
           "resolvers", "unregister"]
