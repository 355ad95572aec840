"""``python -m hubcompat.migrate``: move code, notebooks and dependency files off the TF1
tensorflow_hub API.

Roles: ``registry`` (finds the codemods), ``sources`` (finding, reading and
atomically writing files), ``transform`` (text -> codemods -> compile check),
``prune`` (which statements each codemod sees: the speed of big files),
``_libcst_speed`` (per-class caches for libcst's start-up costs),
``notebooks`` (.ipynb cells) on ``jsontext`` (JSON edited in place),
``dependencies`` (requirements, setup.cfg, pyproject.toml, pip lines),
``runner`` (one file, many files, processes), ``report`` (JSON / Markdown),
``config`` (``[tool.hubcompat]``), ``__main__`` (the CLI). Never imports
TensorFlow.
"""
