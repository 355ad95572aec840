"""Damaged module files: every API raises a hubcompat.errors exception naming the file.

Each file of a copy of the text_embed fixture (partitioned variables, a
vocabulary asset) is truncated (0 bytes, half, all but one byte) or has a
byte flipped, then loaded through ``hubcompat.load``, ``KerasLayer``, the
legacy ``Module`` (eagerly and in a Session) and the inspect / convert /
check CLIs. What each file's format can tell:

- ``variables.data-*``: TensorFlow checks each tensor's crc32c when it
  restores it, and hubcompat checks the shards' sizes against the index
  first: any damage fails. In a TF1 Session (legacy ``Module`` in graph
  mode) values are restored when the Session runs the initializers, so a
  flipped byte there is TensorFlow's ``DataLossError`` from ``session.run``,
  as with tensorflow_hub; a truncated file fails at ``Module(...)``.
  ``inspect`` reads no value (sizes come from the index), so it reports
  truncation, not a flipped byte, unless it runs a ``{"train"}`` graph.
- ``variables.index``: its blocks are checksummed; a damaged index fails, or
  (a byte TF does not read) loads the very same values.
- ``saved_model.pb`` and ``tfhub_module.pb`` have no checksum: a flipped byte
  fails when it breaks the protobuf or a name in the graph; one that still
  makes a valid graph (a changed constant) cannot be detected.
- assets have no checksum either: a changed vocabulary loads as changed.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

import hubcompat
from hubcompat import errors
from hubcompat.__main__ import main as cli

from tests.support.paths import FIXTURES
from tests.support.processes import run_cli

SOURCE = FIXTURES / "text_embed"
REFERENCE = np.load(FIXTURES / "text_embed.reference.npz")
SENTENCES = REFERENCE["input/default/default"]
FILES = sorted(str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*") if p.is_file())
DATA = "variables/variables.data-00000-of-00001"
INDEX = "variables/variables.index"


def _flip(fraction):
    def damage(data: bytes) -> bytes:
        i = min(len(data) - 1, int(len(data) * fraction))
        return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    return damage


DAMAGES = {
    "empty": lambda data: b"",
    "half": lambda data: data[: len(data) // 2],
    "all_but_one_byte": lambda data: data[:-1],
    "flip_start": _flip(0.05),
    "flip_middle": _flip(0.5),
    "flip_end": _flip(0.95),
}


def _cli(*argv) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli(list(argv))
    if code == 2:  # the CLIs' exit status for a model that cannot be loaded
        assert err.getvalue().startswith("error: ") and "Traceback" not in err.getvalue()
        raise errors.CorruptModuleError(err.getvalue())


def _graph_module(path):
    with tf.Graph().as_default():
        module = hubcompat.Module(path)
        embedded = module(tf.constant(SENTENCES))
        with tf.compat.v1.Session() as session:
            session.run([tf.compat.v1.global_variables_initializer(),
                         tf.compat.v1.tables_initializer()])
            return session.run(embedded)


APIS = {
    "load": lambda path, tmp: hubcompat.load(path)(SENTENCES).numpy(),
    "KerasLayer": lambda path, tmp: hubcompat.KerasLayer(path)(tf.constant(SENTENCES)).numpy(),
    "Module_eager": lambda path, tmp: hubcompat.Module(path)(SENTENCES).numpy(),
    "Module_graph": lambda path, tmp: _graph_module(path),
    "inspect": lambda path, tmp: _cli("inspect", str(path)),
    "check": lambda path, tmp: _cli("check", str(path)),
    "convert": lambda path, tmp: _cli("convert", str(path), str(tmp / "converted"),
                                      "--overwrite"),
}


def _damaged_copy(tmp_path, file: str, damage: str):
    path = tmp_path / "module"
    shutil.copytree(SOURCE, path)  # never the user's (here: the fixture's) files
    target = path / file
    target.write_bytes(DAMAGES[damage](target.read_bytes()))
    return path


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("file", FILES)
def test_damaged_file_gives_a_hubcompat_error_naming_it(tmp_path, file, damage):
    path = _damaged_copy(tmp_path, file, damage)
    outcomes = {}
    for api, run in APIS.items():
        try:
            outcomes[api] = run(path, tmp_path)
        except errors.HubcompatError as e:
            outcomes[api] = e
        except (tf.errors.DataLossError, tf.errors.OutOfRangeError) as e:
            # Only from session.run in graph mode, on data TF reads only then.
            assert api == "Module_graph" and file in (DATA, "assets/_vocab.txt"), (api, e)
            outcomes[api] = e
    failed = {api: o for api, o in outcomes.items() if isinstance(o, Exception)}
    for api, error in failed.items():
        if isinstance(error, errors.HubcompatError) and api != "Module_graph":
            assert os.path.basename(file) in str(error) or "saved_model.pb" in str(error), (
                api, str(error))
    if file == DATA:
        # inspect reads no value of a module without a {"train"} graph: it
        # checks the sizes, not the crc32c of the tensors.
        reads_values = set(APIS) - ({"inspect"} if damage.startswith("flip") else set())
        assert reads_values <= set(failed), f"crc32c or size checks missed: {outcomes}"
    if file == INDEX:  # a byte TF does not read changes nothing
        for api in ("load", "KerasLayer", "Module_eager", "Module_graph"):
            if api not in failed:
                np.testing.assert_allclose(outcomes[api], REFERENCE["infer/default/default"],
                                           atol=1e-5)


@pytest.mark.heavy
@pytest.mark.parametrize("command", ["inspect", "convert", "check"])
def test_cli_process_on_truncated_data_exits_2_naming_the_file(tmp_path, command):
    path = _damaged_copy(tmp_path, DATA, "half")
    argv = [command, str(path)] + ([str(tmp_path / "out")] if command == "convert" else [])
    proc = run_cli(*argv)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "variables.data-00000-of-00001" in proc.stderr and "truncated" in proc.stderr
    assert "Fetch the module again" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_flipped_byte_in_a_tensor_fails_the_crc_check(tmp_path):
    path = _damaged_copy(tmp_path, DATA, "flip_middle")
    with pytest.raises(errors.CorruptModuleError, match="Checksum does not match") as info:
        hubcompat.load(path)
    assert "variables.data-00000-of-00001" in str(info.value)
    assert "Fetch the module again" in str(info.value)
