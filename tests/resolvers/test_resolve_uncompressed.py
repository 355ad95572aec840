"""``TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED``: the server names the model's folder, nothing is cached.

A real server on 127.0.0.1 answers ``?tf-hub-format=uncompressed`` with a
``303``, as tfhub.dev did; the folder it names lives on TensorFlow's in-memory
``ram://`` filesystem, read through the same ``tf.io.gfile`` calls as ``gs://``.
"""

from __future__ import annotations

import os

import pytest

import hubcompat
from hubcompat import errors, resolvers
from hubcompat.resolvers.uncompressed import HttpUncompressedResolver

from tests.support.hub_server import genuine_archive


@pytest.fixture
def ram_resolver():
    """The resolver, also accepting ram:// answers (gs:// needs Google Cloud)."""
    resolver = HttpUncompressedResolver(locations=("gs://", "ram://"))
    resolvers.register(resolver)
    yield resolver
    resolvers.unregister(resolver)


def _ram_folder(tf, name: str) -> str:
    folder = f"ram://bucket/{name}"
    tf.io.gfile.makedirs(folder)
    with tf.io.gfile.GFile(f"{folder}/saved_model.pb", "wb") as f:
        f.write(b"not read by resolve()")
    return folder


def test_server_names_the_folder_and_nothing_is_cached(cache_dir, server, ram_resolver, monkeypatch):
    tf = pytest.importorskip("tensorflow")
    folder = _ram_folder(tf, "m1")
    server.add("/google/m/1", folder.encode(), mode="see_other")
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", "UNCOMPRESSED")

    assert hubcompat.resolve(server.url("/google/m/1")) == folder
    assert server.queries == [("/google/m/1", "tf-hub-format=uncompressed")]
    assert not cache_dir.exists() or os.listdir(cache_dir) == []


@pytest.mark.parametrize("value", ["COMPRESSED", "AUTO", ""])
def test_compressed_and_auto_download_into_the_cache(cache_dir, server, ram_resolver, monkeypatch, tmp_path, value):
    server.add("/google/m/1", genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes())
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", value)

    path = hubcompat.resolve(server.url("/google/m/1"))

    assert path.startswith(str(cache_dir))
    assert server.queries == [("/google/m/1", "tf-hub-format=compressed")]


def test_answers_other_than_a_303_to_an_existing_folder_are_clear_errors(cache_dir, server, ram_resolver, monkeypatch, tmp_path):
    tf = pytest.importorskip("tensorflow")
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", "UNCOMPRESSED")
    # tensorflow_hub's sentences (ValueError there; ours are ValueErrors too).
    server.add("/archive/1", genuine_archive("mlp_bn.tar.gz", tmp_path).read_bytes())
    with pytest.raises(ValueError, match="Expected 303 See other HTTP response but received code 200"):
        hubcompat.resolve(server.url("/archive/1"))
    server.add("/elsewhere/1", b"https://example.com/model.tar.gz", mode="see_other")
    with pytest.raises(errors.UncompressedLocationError, match="Expected server to return a GCS location"):
        hubcompat.resolve(server.url("/elsewhere/1"))
    server.add("/missing/1", b"ram://bucket/no-such-model", mode="see_other")
    with pytest.raises(errors.ModuleNotFound, match="ram://bucket/no-such-model does not exist"):
        hubcompat.resolve(server.url("/missing/1"))
    assert _ram_folder(tf, "exists")  # the filesystem itself works


def test_a_bad_value_is_a_config_error(cache_dir, server, monkeypatch):
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", "uncompressed")  # compared exactly, as tensorflow_hub
    with pytest.raises(errors.ConfigError, match="COMPRESSED, UNCOMPRESSED, AUTO"):
        hubcompat.resolve(server.url("/google/m/1"))
    assert server.queries == []


def test_offline_mode_refuses_at_once(cache_dir, server, monkeypatch):
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", "UNCOMPRESSED")
    monkeypatch.setenv("HUBCOMPAT_OFFLINE", "1")
    with pytest.raises(errors.OfflineModeError, match="TFHUB_MODEL_LOAD_FORMAT"):
        hubcompat.resolve(server.url("/google/m/1"))
    assert server.queries == []
