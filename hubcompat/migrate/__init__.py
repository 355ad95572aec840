"""``python -m hubcompat.migrate``: move code and notebooks off the TF1 tensorflow_hub API.

Roles: ``registry`` (finds the codemods), ``sources`` (finding, reading and
atomically writing files), ``transform`` (text -> codemods -> compile check),
``notebooks`` (.ipynb cells), ``runner`` (one file, many files, processes),
``report`` (JSON / Markdown), ``config`` (``[tool.hubcompat]``), ``__main__``
(the CLI). Never imports TensorFlow.
"""
