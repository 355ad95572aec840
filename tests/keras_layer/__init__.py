"""KerasLayer tests, run twice in CI: Keras 3, then TF_USE_LEGACY_KERAS=1 (tf-keras).

A package so its conftest is imported as ``keras_layer.conftest`` and does not
shadow ``tests/conftest.py`` (root tests do ``from conftest import ...``).
"""
