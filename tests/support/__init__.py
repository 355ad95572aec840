"""Helpers for the tests (no tests, no fixtures): import them as ``tests.support.<module>``.

- ``paths``: where the repository, our fixtures and ../shared (genuine exports) are.
- ``tf1_session``: the TF1 oracle, a module's own graph run in a ``tf.compat.v1.Session``.
- ``references``: TF1-computed references in the format of ``python -m hubcompat check``.
- ``call_sequences``: what genuine hub.Module computed, call by call (real architectures).
- ``hub_server``: a real HTTP server on 127.0.0.1 for the resolver tests.
- ``processes``: the CLI runner and fresh-interpreter runner.
"""
