"""The gs:// resolver, exercised through TensorFlow's in-memory ``ram://`` filesystem.

``gs://`` itself needs Google Cloud; ``ram://`` goes through the same
``tf.io.gfile`` calls, so the resolver is registered for that scheme here.
"""

from __future__ import annotations

import pytest

import hubcompat
from hubcompat import resolvers
from hubcompat.resolvers.gcs import GcsResolver

from tests.support.hub_server import genuine_archive, same_tree, tmp_entries
from tests.support.paths import GENUINE


def test_remote_archive_is_cached_and_remote_folder_passed_through(cache_dir, tmp_path):
    tf = pytest.importorskip("tensorflow")
    data = genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes()
    with tf.io.gfile.GFile("ram://bucket/mlp_bn.tar.gz", "wb") as f:
        f.write(data)
    resolver = GcsResolver(scheme="ram://")
    resolvers.register(resolver)
    try:
        path = hubcompat.resolve("ram://bucket/mlp_bn.tar.gz")
        assert path.startswith(str(cache_dir))
        assert same_tree(cache_dir / path.rsplit("/", 1)[-1], GENUINE / "mlp_bn")
        assert hubcompat.resolve("ram://bucket/folder") == "ram://bucket/folder"
        assert tmp_entries(cache_dir) == []
    finally:
        resolvers.unregister(resolver)
