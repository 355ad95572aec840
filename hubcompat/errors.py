"""Every exception hubcompat raises, in one place.

Each class is also a fitting builtin, so ``except FileNotFoundError`` or
``except ValueError`` clauses written for tensorflow_hub keep working. Messages
name the handle, file or argument at fault and say what to do next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class HubcompatError(Exception):
    """Base class of every error raised by hubcompat.

    Errors carry their data as attributes, so callers need not parse messages:
    any keyword given to the constructor (``handle=``, ``path=``, ``url=``,
    ``status=``, ``available=`` (the names that do exist), ...) becomes an
    attribute; the ones not given are ``None``. ``note=`` adds a PEP 678 note
    (shown under the message in tracebacks, not part of ``str(e)``): the legacy
    API keeps tensorflow_hub's exact messages and says what exists in a note.
    """

    handle: Any = None  # what the caller passed: a str, os.PathLike, or the wrong object
    path: Any = None  # a file name, or the ModuleSpec the legacy API was given
    url: str | None = None
    status: int | None = None  # an HTTP status
    available: Any = None  # the names that do exist (a list or a mapping)

    def __init__(self, *args: object, note: str | None = None, **attributes: Any) -> None:
        _builtin_init(type(self))(self, *args)
        for name, value in attributes.items():
            setattr(self, name, value)
        if note:
            add_note(self, note)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Subclasses list a builtin first (FileNotFoundError, KeyError, ...), whose
        # __init__ takes no keywords and would come first in the MRO.
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            cls.__init__ = HubcompatError.__init__  # type: ignore[method-assign]  # on purpose


def add_note(error: BaseException, note: str) -> None:
    """``error.add_note(note)`` (Python 3.11+); on 3.10 the note is kept in ``__notes__``."""
    if hasattr(error, "add_note"):
        error.add_note(note)
    else:
        error.__notes__ = [*getattr(error, "__notes__", []), note]  # type: ignore[attr-defined]  # 3.10


def _builtin_init(cls: type[BaseException]) -> Callable[..., None]:
    """The ``__init__`` of the first builtin exception class in ``cls``'s MRO."""
    builtin: type[BaseException] = next(c for c in cls.__mro__ if c.__module__ == "builtins")
    return builtin.__init__


# --- Installation and configuration ---------------------------------------------


class TensorFlowMissingError(ImportError, HubcompatError):
    """Raised when something that needs TensorFlow is used and TensorFlow is not installed.

    hubcompat alone installs the migrate tool only; the model tools need the
    TensorFlow of your choice (the ``tf`` extra, or ``tensorflow-cpu``,
    ``tensorflow-macos``, ``tf-nightly``, ... beside it). The message says how to
    install it with the hubcompat that is running (``hubcompat._requirement``).
    """

    # Spelled out for type checkers, which would see ImportError's __init__ first
    # (ImportError and SyntaxError are the builtin bases here whose stubs declare one).
    def __init__(self, *args: object, note: str | None = None, **attributes: Any) -> None:
        HubcompatError.__init__(self, *args, note=note, **attributes)


class ConfigError(ValueError, HubcompatError):
    """Raised when an environment setting (``HUBCOMPAT_*``) has a value that cannot be used;
    ``.name`` is the variable, ``.value`` its text."""


# --- Handles and files -------------------------------------------------------


class ModuleNotFound(FileNotFoundError, HubcompatError):
    """Raised when a handle names a path that does not exist."""


class InvalidHandleError(ValueError, TypeError, HubcompatError):
    """Raised when a handle is not a str or os.PathLike (a ValueError, as in tensorflow_hub)."""


class UnknownFormatError(ValueError, HubcompatError):
    """Raised when a folder holds neither a TF1 Hub module nor a SavedModel."""


class MissingSavedModelError(FileNotFoundError, HubcompatError):
    """Raised when a module folder has no ``saved_model.pb`` (e.g. only a checkpoint)."""


class UnsupportedModuleFormatError(ValueError, HubcompatError):
    """Raised when ``tfhub_module.pb`` declares a format version or feature we cannot read."""


class CorruptModuleError(ValueError, HubcompatError):
    """Raised when a module file exists but cannot be parsed."""


# --- Calling a loaded module --------------------------------------------------


class SignatureError(KeyError, HubcompatError):
    """Raised when a signature, input or output name is not in the module."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class InputError(ValueError, HubcompatError):
    """Raised when the inputs given to a module do not fit its signature."""


class InputTypeError(TypeError, HubcompatError):
    """Raised when an input has a dtype the signature cannot accept."""


class UnsupportedGraphError(NotImplementedError, HubcompatError):
    """Raised when a TF1 graph uses a construct hubcompat cannot run in TF2.

    The message says what the construct is (in tensorflow_hub's words where it
    refused the same); :func:`unsupported_in` adds which module and what to do.
    """


UNSUPPORTED_GRAPH_NEXT_STEP = (
    "Next step: run this module with tensorflow_hub 0.15 on TensorFlow <= 2.15 for now, and "
    "report the construct with the module's handle so hubcompat can support it.")


def unsupported_in(error: UnsupportedGraphError, handle: object) -> UnsupportedGraphError:
    """``error`` naming the module ``handle`` (as ``error.handle`` and in a note) and the
    next step; a no-op for an error that already names its module this way."""
    if error.handle is None:
        error.handle = handle
        add_note(error, f"Module: {handle}. {UNSUPPORTED_GRAPH_NEXT_STEP}")
    return error


class UnsupportedCollectionError(UnsupportedGraphError, ValueError):
    """Raised when a module's graph has collections hub.Module does not support (a ValueError,
    as in tensorflow_hub): drop them with ``drop_collections=``."""


# --- KerasLayer ---------------------------------------------------------------


class LayerArgumentError(ValueError, HubcompatError):
    """Raised when ``KerasLayer`` arguments contradict each other or the loaded model."""


class UnknownSignatureError(SignatureError, ValueError):
    """Raised when ``KerasLayer(signature=...)`` names a signature the model does not have."""


class LayerConfigError(NotImplementedError, HubcompatError):
    """Raised when ``KerasLayer.get_config`` cannot describe the layer (e.g. an object handle).

    A NotImplementedError, as tf-keras' SavedModel export expects in order to
    fall back to saving without a config.
    """


class SymbolicInputDtypeError(NotImplementedError, HubcompatError):
    """Raised when Keras builds ``KerasLayer`` on a placeholder of a dtype its model cannot take.

    A NotImplementedError because Keras 3's ``Sequential`` then defers building
    until it sees real data (it guesses float32 inputs when there is no
    ``keras.Input``).
    """


# --- Resolving handles, downloads and the cache -------------------------------


class UnresolvableHandleError(ModuleNotFound):
    """Raised when no resolver can turn a handle into a local folder; names every resolver
    tried, and for a mistyped local path the existing one meant (``.suggestion``)."""

    suggestion: str | None = None


class OfflineModeError(ConnectionError, HubcompatError):
    """Raised when ``HUBCOMPAT_OFFLINE=1`` and a handle is not in the cache."""


class DownloadError(OSError, HubcompatError):
    """Raised when an HTTP download fails (status, redirect loop, timeout, connection)."""


class IncompleteDownloadError(DownloadError):
    """Raised when fewer (or more) bytes arrive than the server announced."""


class UncompressedLocationError(DownloadError, ValueError):
    """Raised when, under ``TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED``, the server does not answer
    with a ``303`` naming a ``gs://`` folder (a ``ValueError`` there, as in tensorflow_hub)."""


class CorruptArchiveError(ValueError, HubcompatError):
    """Raised when a downloaded or local archive cannot be read (truncated, not a tar file)."""


class UnsafeArchiveError(ValueError, HubcompatError):
    """Raised when an archive member could write outside its folder, is a link or a device,
    or the archive exceeds the size or member-count limits."""


class CacheError(OSError, HubcompatError):
    """Raised when the cache folder cannot be used (not writable, lock timeout)."""


# --- The tensorflow_hub 0.15 API (hub.Module, create_module_spec, ...) ---------


class GraphMismatchError(RuntimeError, HubcompatError):
    """Raised when a ``hub.Module`` is used in a graph other than the one it was created in."""


class EagerModeError(RuntimeError, HubcompatError):
    """Raised when a legacy call has no meaning in eager mode (e.g. ``add_signature``)."""


class ModuleExistsError(FileExistsError, HubcompatError):
    """Raised when ``export`` would overwrite an existing module."""


class EstimatorUnavailableError(NotImplementedError, HubcompatError):
    """Raised by ``register_module_for_export`` / ``LatestModuleExporter``: tf.estimator is gone."""


# --- Code migration (python -m hubcompat.migrate) -------------------------------


class MigrationError(ValueError, HubcompatError):
    """Raised when a file cannot be migrated safely; the file is left unchanged."""


class UnparsableSourceError(SyntaxError, MigrationError):
    """Raised when a file is not Python 3 that libcst can parse (Python 2, shell lines)."""

    def __init__(self, *args: object, note: str | None = None, **attributes: Any) -> None:
        HubcompatError.__init__(self, *args, note=note, **attributes)  # as TensorFlowMissingError


class NotebookLayoutError(MigrationError):
    """Raised when a notebook's JSON layout cannot be written back byte for byte."""


# --- Converting models (python -m hubcompat convert) ----------------------------


class DestinationExistsError(FileExistsError, HubcompatError):
    """Raised when ``convert`` would write over an existing path and ``overwrite`` is off."""


class NothingToConvertError(ValueError, HubcompatError):
    """Raised when ``convert`` is given a model that already is a TF2 SavedModel."""


# --- python -m hubcompat check ---------------------------------------------------


class ReferenceNotFoundError(FileNotFoundError, HubcompatError):
    """Raised when ``check --reference`` / ``--inputs`` names a file that does not exist."""


class ReferenceFileError(ValueError, HubcompatError):
    """Raised when a reference or inputs file is not a readable ``.npz`` archive."""


class ReferenceExistsError(DestinationExistsError):
    """Raised when ``check --record`` would overwrite an existing file."""


class CheckArgumentError(ValueError, HubcompatError):
    """Raised when ``check`` is asked to skip a check that does not exist."""
