"""Tests of hubcompat/resolvers/: local, HTTP, GCS, Kaggle handles and the cache."""
