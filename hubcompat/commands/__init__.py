"""The subcommands of ``python -m hubcompat`` (see ``hubcompat/__main__.py``)."""
