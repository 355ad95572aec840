"""The one place that knows which TensorFlow / Keras version is installed.

Everything version-dependent (private TF classes whose home moved, Keras 3 vs
tf-keras) is looked up here, so no other module checks ``tf.__version__``.
"""

from __future__ import annotations

import functools


@functools.cache
def tf_version() -> tuple[int, int]:
    import tensorflow as tf

    major, minor = tf.__version__.split(".")[:2]
    return int(major), int(minor)


def auto_trackable_base() -> type:
    """The base class of objects whose attributes ``tf.saved_model.save`` tracks."""
    import tensorflow as tf

    return tf.__internal__.tracking.AutoTrackable


def save_type_savedmodel():
    """The ``save_type`` value TF passes to ``_trackable_children`` when exporting."""
    from tensorflow.python.trackable import base  # stable location since TF 2.10

    return base.SaveType.SAVEDMODEL
