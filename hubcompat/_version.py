"""hubcompat's version, in a module of its own: modules that ``import hubcompat``
(re-exports it as ``hubcompat.__version__``) may import it without an import cycle."""

__version__ = "0.1.0"
