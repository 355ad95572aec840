"""The tests: folders mirror the package (tests/tf1/ tests hubcompat/tf1/, ...); helpers in
tests/support/ (import ``tests.support.<module>``), fixtures and hooks in conftest.py files."""
