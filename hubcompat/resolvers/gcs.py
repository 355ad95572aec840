"""``gs://`` paths, read through ``tf.io.gfile`` (the only resolver that imports TensorFlow).

A folder is returned as is (TensorFlow reads ``gs://`` directly); an archive
(``gs://.../model.tar.gz``) is copied and unpacked into the cache, as
tensorflow_hub's ``GcsCompressedFileResolver`` did.
"""

from __future__ import annotations

from hubcompat import archive, cache, config, errors
from hubcompat.resolvers.base import Resolver


class GcsResolver(Resolver):
    """``gs://`` folders and archives (another ``tf.io.gfile`` scheme can be given)."""

    description = "gs:// folders and archives, through tf.io.gfile"

    def __init__(self, scheme: str = "gs://"):
        self.scheme = scheme

    def is_supported(self, handle: str) -> bool:
        return handle.startswith(self.scheme)

    def __call__(self, handle: str) -> str:
        if not archive.is_archive_name(handle):
            if config.offline():
                hit = cache.lookup(handle)
                if hit is not None:
                    return hit
                raise errors.OfflineModeError(
                    f"{handle!r} is a remote folder and HUBCOMPAT_OFFLINE is set. Copy it locally first."
                )
            return handle

        def fill(folder: str) -> dict:
            import tensorflow as tf

            try:
                with tf.io.gfile.GFile(handle, "rb") as f:
                    archive.extract(f, folder, source=handle)
            except tf.errors.OpError as e:
                raise errors.DownloadError(f"Cannot read {handle!r} ({e.message}).") from e
            return {"url": handle}

        return cache.fetch(handle, fill)
