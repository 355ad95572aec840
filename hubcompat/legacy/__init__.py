"""The tensorflow_hub 0.15 TF1 API (``hub.Module``, ``ModuleSpec``, ...) on modern TensorFlow.

Graph mode follows ``hub.Module`` exactly (state graph under the module's
scope, one apply graph per call); eager mode runs through
:class:`hubcompat.tf1.adapter.TF1ModuleAdapter`. See docs/legacy-api.md.
"""
