"""``TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED``: the server names the model's folder, nothing is cached.

A real server on 127.0.0.1 answers ``?tf-hub-format=uncompressed`` with a
``303``, as tfhub.dev did; the folder it names lives on TensorFlow's in-memory
``ram://`` filesystem, read through the same ``tf.io.gfile`` calls as ``gs://``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import hubcompat
from hubcompat import errors, resolvers
from hubcompat.resolvers.uncompressed import HttpUncompressedResolver

from tests.support.hub_server import genuine_archive
from tests.support.paths import FIXTURES


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


def _copy_to_ram(tf, local: Path, remote: str) -> None:
    for path in local.rglob("*"):
        target = f"{remote}/{path.relative_to(local).as_posix()}"
        if path.is_dir():
            tf.io.gfile.makedirs(target)
        else:
            tf.io.gfile.makedirs(target.rsplit("/", 1)[0])
            tf.io.gfile.copy(str(path), target, overwrite=True)


def test_load_reads_a_tf2_model_where_the_server_says(cache_dir, server, ram_resolver, monkeypatch):
    tf = pytest.importorskip("tensorflow")
    _copy_to_ram(tf, FIXTURES / "tf2_mul", "ram://bucket/tf2_mul")
    _copy_to_ram(tf, FIXTURES / "mlp_bn", "ram://bucket/mlp_bn")
    server.add("/google/tf2_mul/1", b"ram://bucket/tf2_mul", mode="see_other")
    server.add("/google/mlp_bn/1", b"ram://bucket/mlp_bn", mode="see_other")
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", "UNCOMPRESSED")
    ref = np.load(FIXTURES / "tf2_mul.reference.npz")

    model = hubcompat.load(server.url("/google/tf2_mul/1"))

    np.testing.assert_allclose(model(ref["input/__call__/inputs"]), ref["infer/__call__/default"])
    assert model._is_hub_module_v1 is False
    with pytest.raises(errors.UnsupportedModuleFormatError, match="TFHUB_MODEL_LOAD_FORMAT"):
        hubcompat.load(server.url("/google/mlp_bn/1"))  # TF1 modules are read from local folders
    assert not cache_dir.exists() or os.listdir(cache_dir) == []
