"""``register_module_for_export`` and ``LatestModuleExporter``: Estimator-only, so unavailable.

tensorflow_hub 0.15 built both on ``tf.estimator`` (a ``SessionRunHook`` that
remembered a Module, and an ``Exporter`` run by ``train_and_evaluate``).
TensorFlow 2.16 removed ``tf.estimator``, so neither can work; both raise an
error saying what to do instead.
"""

from __future__ import annotations

from hubcompat import errors

_ADVICE = (
    "tf.estimator was removed in TensorFlow 2.16, so Estimator-based module export cannot run. "
    "Export the module yourself after training: build it with hub.Module(spec, trainable=True), "
    "train with a tf.compat.v1.Session, then call module.export(path, session); or use "
    "spec.export(path, checkpoint_path=...) on the Estimator's last checkpoint."
)


def register_module_for_export(module, export_name):
    """Raises :class:`~hubcompat.errors.EstimatorUnavailableError` (tf.estimator is gone)."""
    raise errors.EstimatorUnavailableError(
        f"hub.register_module_for_export(module, {export_name!r}): {_ADVICE}")


class LatestModuleExporter:
    """Raises :class:`~hubcompat.errors.EstimatorUnavailableError` when created."""

    def __init__(self, name, serving_input_fn, exports_to_keep=5):
        raise errors.EstimatorUnavailableError(f"hub.LatestModuleExporter({name!r}, ...): {_ADVICE}")
