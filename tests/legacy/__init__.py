"""Tests of hubcompat/legacy/: the tensorflow_hub 0.15 API (hub.Module, ModuleSpec, ...)."""
