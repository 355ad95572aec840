"""Tests of hubcompat/loader.py: hubcompat.load (format dispatch, errors, damaged files)."""
