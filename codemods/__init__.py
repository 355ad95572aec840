"""hubcompat codemods: one libcst codemod per rewrite off the TF1 tensorflow_hub API.

Each module holds one ``HubCodemod`` subclass (``_base.py``; the shared
analyses are the other ``_*.py`` helper modules);
``hubcompat.migrate.registry`` finds them with ``pkgutil``. Documented in
``docs/migrate.md``. Also usable as ``python -m libcst.tool codemod
<module>.<Class> PATH`` with ``modules: ["hubcompat.codemods"]`` in
``.libcst.codemod.yaml``.
"""
