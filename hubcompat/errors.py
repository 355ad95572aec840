"""Every exception hubcompat raises, in one place.

Each class is also a fitting builtin, so ``except FileNotFoundError`` or
``except ValueError`` clauses written for tensorflow_hub keep working. Messages
name the handle, file or argument at fault and say what to do next.
"""

from __future__ import annotations


class HubcompatError(Exception):
    """Base class of every error raised by hubcompat."""


# --- Handles and files -------------------------------------------------------


class ModuleNotFound(FileNotFoundError, HubcompatError):
    """Raised when a handle names a path that does not exist."""


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
    """Raised when a TF1 graph uses a construct hubcompat cannot run in TF2."""


# --- Code migration (python -m hubcompat.migrate) -------------------------------


class MigrationError(ValueError, HubcompatError):
    """Raised when a file cannot be migrated safely; the file is left unchanged."""


class UnparsableSourceError(SyntaxError, MigrationError):
    """Raised when a file is not Python 3 that libcst can parse (Python 2, shell lines)."""


class NotebookLayoutError(MigrationError):
    """Raised when a notebook's JSON layout cannot be written back byte for byte."""
