"""KerasLayer tests, run twice in CI: Keras 3, then TF_USE_LEGACY_KERAS=1 (tf-keras).

Helpers shared by these files only are here (distributed_util); the rest in tests/support/.
"""
