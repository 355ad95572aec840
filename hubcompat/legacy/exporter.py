"""``register_module_for_export`` and ``LatestModuleExporter``: exporting modules from an Estimator.

As in tensorflow_hub 0.15: ``register_module_for_export(module, name)`` notes a
Module of the graph being built (e.g. in a ``model_fn``); an
``EvalSpec(exporters=[LatestModuleExporter(...)])`` (or ``exporter.export(estimator,
path, checkpoint)``) rebuilds the Estimator's PREDICT graph, restores the
checkpoint and writes every registered module into ``<path>/<timestamp>/<name>``,
keeping the ``exports_to_keep`` newest exports.

Both need ``tf.estimator``, which TensorFlow 2.16 removed: there they raise
:class:`~hubcompat.errors.EstimatorUnavailableError` saying what to do instead.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import tensorflow as tf

from hubcompat import errors
from hubcompat._tf_private import estimator_module

_log = logging.getLogger(__name__)
_EXPORT_MODULES = ("__tfhub_export_modules",)  # a tuple key: never saved with the graph

_ADVICE = (
    "tf.estimator was removed in TensorFlow 2.16, so Estimator-based module export cannot run. "
    "Export the module yourself after training: build it with hub.Module(spec, trainable=True), "
    "train with a tf.compat.v1.Session, then call module.export(path, session); or use "
    "spec.export(path, checkpoint_path=...) on the Estimator's last checkpoint."
)

_estimator = estimator_module()


def register_module_for_export(module, export_name):
    """Registers ``module`` to be exported by ``LatestModuleExporter`` under ``export_name``."""
    if _estimator is None:
        raise errors.EstimatorUnavailableError(
            f"hub.register_module_for_export(module, {export_name!r}): {_ADVICE}")
    for used, _ in tf.compat.v1.get_collection(_EXPORT_MODULES):
        if used == export_name:
            raise errors.InputError(
                f"There is already a module registered to be exported as {export_name!r}: "
                "each module of a graph needs its own export_name.")
    tf.compat.v1.add_to_collection(_EXPORT_MODULES, (export_name, module))


# Without tf.estimator the class still exists, so that its constructor can say what to do.
_ExporterBase: Any = _estimator.Exporter if _estimator is not None else object


class LatestModuleExporter(_ExporterBase):
    """An Estimator ``Exporter`` that writes the registered modules into timestamped folders."""

    def __init__(self, name, serving_input_fn, exports_to_keep=5):
        if _estimator is None:
            raise errors.EstimatorUnavailableError(
                f"hub.LatestModuleExporter({name!r}, ...): {_ADVICE}")
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise errors.InputError(
                f"LatestModuleExporter({name!r}): `exports_to_keep`, if provided, must be a "
                f"positive number (got {exports_to_keep!r}); None keeps every export.")
        self._name = name
        self._serving_input_fn = serving_input_fn
        self._exports_to_keep = exports_to_keep

    @property
    def name(self):
        return self._name

    def export(self, estimator, export_path, checkpoint_path=None, eval_result=None,
               is_the_final_export=None):
        """Writes each registered module to ``<export_path>/<timestamp>/<export_name>``.

        Returns that timestamped folder, or None (with a warning) if no module
        was registered in the Estimator's PREDICT graph.
        """
        checkpoint_path = checkpoint_path or estimator.latest_checkpoint()
        export_path = os.fsdecode(export_path)
        with tf.Graph().as_default():
            session = _serving_session(estimator, self._serving_input_fn, checkpoint_path)
            with session:
                modules = tf.compat.v1.get_collection(_EXPORT_MODULES)
                if not modules:
                    _log.warning("LatestModuleExporter found zero modules to export. "
                                 "Use hub.register_module_for_export() if needed.")
                    return None
                export_dir = _timestamped_dir(export_path)
                partial = os.path.join(export_path, f"temp-{os.path.basename(export_dir)}")
                for export_name, module in modules:
                    module.export(os.path.join(partial, export_name), session)
                tf.io.gfile.rename(partial, export_dir)  # gs:// too, as tensorflow_hub
        _collect_garbage(export_path, self._exports_to_keep)
        return export_dir


def _serving_session(estimator, serving_input_fn, checkpoint_path):
    """A Session over the Estimator's PREDICT graph (in the default graph), restored."""
    graph = tf.compat.v1.get_default_graph()
    tf.compat.v1.train.create_global_step(graph)
    tf.compat.v1.set_random_seed(estimator.config.tf_random_seed)
    receiver = serving_input_fn()
    spec = estimator.model_fn(features=receiver.features, labels=None,
                              mode=_estimator.ModeKeys.PREDICT, config=estimator.config)
    # A plain Session: module.export needs a Saver-compatible session.
    session = tf.compat.v1.Session(config=estimator._session_config)  # private TF/hub API (as hub)
    with session.as_default():
        saver = spec.scaffold.saver or tf.compat.v1.train.Saver(sharded=True)
        saver.restore(session, checkpoint_path)
    return session


def _timestamped_dir(export_path: str) -> str:
    """``<export_path>/<seconds since the epoch>``, not yet existing (waits a second if taken)."""
    for _ in range(10):
        folder = os.path.join(export_path, str(int(time.time())))
        if not tf.io.gfile.exists(folder):
            return folder
        time.sleep(1)
    raise errors.ModuleExistsError(
        f"Cannot pick a fresh timestamped export folder under {export_path!r}: ten tries in a row "
        "were taken. Is another exporter writing there?")


def _collect_garbage(export_path: str, keep) -> None:
    """Deletes all but the ``keep`` newest timestamped exports."""
    if keep is None:
        return
    stamps = sorted(int(name.rstrip("/")) for name in tf.io.gfile.listdir(export_path)
                    if name.rstrip("/").isdigit())
    for stamp in stamps[:-keep]:
        tf.io.gfile.rmtree(os.path.join(export_path, str(stamp)))
