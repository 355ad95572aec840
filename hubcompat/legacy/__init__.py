"""The tensorflow_hub 0.15 TF1 API (``hub.Module``, ``ModuleSpec``, ...) on modern TensorFlow.

Graph mode follows ``hub.Module`` exactly (state graph under the module's
scope, one apply graph per call); eager mode runs through
:class:`hubcompat.tf1.adapter.TF1ModuleAdapter`. See docs/legacy-api.md.

Imports run one way (each module imports only those before it):
``tensor_info``, ``writer`` -> ``graph_module`` -> ``eager_module``,
``module_spec``, ``builder`` -> ``module`` -> ``feature_columns``. ``module``
picks ``GraphModule`` or ``EagerModule`` once per Module and then uses it only
through the ``module_impl.ModuleImpl`` interface.
The format facts come from :mod:`hubcompat.tf1.hub_format`, signature
descriptions from :mod:`hubcompat.tf1.module_reader`.
"""
