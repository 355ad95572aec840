"""hubcompat behaves as genuine tensorflow_hub did: the probes of tests/genuine_parity.

genuine.json holds what genuine tensorflow_hub 0.15.0 (TF 2.15) did for each probe;
the KerasLayer probes run in tests/keras_layer/test_genuine_parity.py (under Keras 3
and tf-keras). With HUBCOMPAT_LEGACY_PYTHON (a Python with genuine tensorflow_hub
0.15, e.g. the legacy_reference nox cell's), the record itself is checked against a
fresh run of genuine tensorflow_hub.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.support.paths import GENUINE_PARITY, LEGACY_PYTHON, REPO

sys.path.insert(0, str(GENUINE_PARITY))
import parity
import probes

import hubcompat


@pytest.mark.parametrize("name", parity.names(keras=False))
def test_hubcompat_does_what_tensorflow_hub_did(name):
    parity.check(name, hubcompat)


def test_every_difference_is_documented():
    for name, (page, _) in parity.DIFFERENCES.items():
        assert name in probes.PROBES
        assert f"`{name}`" in (REPO / page).read_text(encoding="utf-8"), (page, name)


@pytest.mark.heavy
def test_record_is_what_genuine_tensorflow_hub_does(tmp_path):
    """Re-runs every probe on genuine tensorflow_hub 0.15 and compares with genuine.json."""
    probe = subprocess.run([LEGACY_PYTHON, "-c", "import tensorflow_hub; tensorflow_hub.Module"],
                           capture_output=True) if shutil.which(LEGACY_PYTHON) else None
    if probe is None or probe.returncode != 0:
        pytest.skip("needs genuine tensorflow_hub 0.15: set HUBCOMPAT_LEGACY_PYTHON")
    proc = subprocess.run(
        [LEGACY_PYTHON, str(GENUINE_PARITY / "record.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=900,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    fresh = json.loads(proc.stdout.strip().splitlines()[-1])
    recorded = parity.GENUINE["probes"]
    assert sorted(fresh) == sorted(recorded) == sorted(probes.PROBES)
    for name in sorted(fresh):
        assert parity.mismatch(name, recorded[name], fresh[name]) is None, name


def _committed_names() -> dict:
    with open(GENUINE_PARITY / "public_names.json", encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("version", ["0.15.0", "0.16.1"])
def test_every_public_name_of_tensorflow_hub_exists(version):
    names = _committed_names()[version]
    missing = [name for name in names if not hasattr(hubcompat, name)]
    assert not missing, f"tensorflow_hub {version} names missing from hubcompat: {missing}"
    assert set(names) - {"__version__"} <= set(dir(hubcompat))


def test_committed_names_are_genuine_tensorflow_hubs():
    """The committed lists against the genuine packages that are at hand.

    tensorflow_hub importable here (the hub016 and legacy_reference nox cells), and
    HUBCOMPAT_LEGACY_PYTHON (genuine 0.15): each must list what public_names.json says.
    """
    checked = []
    try:
        import tensorflow_hub
    except ImportError:
        pass
    else:
        import record

        assert record.public_names(tensorflow_hub) == _committed_names()[tensorflow_hub.__version__]
        checked.append(tensorflow_hub.__version__)
    if shutil.which(LEGACY_PYTHON):
        proc = subprocess.run(
            [LEGACY_PYTHON, str(GENUINE_PARITY / "record.py"), "--names"],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""})
        if proc.returncode == 0:
            assert json.loads(proc.stdout.strip().splitlines()[-1]) == _committed_names()["0.15.0"]
            checked.append("0.15.0")
    if not checked:
        pytest.skip("no genuine tensorflow_hub here: set HUBCOMPAT_LEGACY_PYTHON, or run the "
                    "hub016 / legacy_reference nox cells")


@pytest.mark.parametrize("variable", ["HUBCOMPAT_CACHE_DIR", "TFHUB_CACHE_DIR"])
def test_cache_dir_given_as_a_file_url(monkeypatch, tmp_path, variable):
    from hubcompat import config

    monkeypatch.delenv("HUBCOMPAT_CACHE_DIR", raising=False)
    monkeypatch.setenv(variable, (tmp_path / "my cache").as_uri())
    assert config.cache_dir() == str(tmp_path / "my cache")
    monkeypatch.setenv(variable, "file://otherhost/x")
    with pytest.raises(ValueError, match="another host"):
        config.cache_dir()


def test_ragged_signatures_eagerly_compute_what_genuine_graph_mode_did(tmp_path):
    """hub.Module eagerly, in a tf.function and hubcompat.load: genuine's graph-mode numbers."""
    import tensorflow as tf

    expected = parity.GENUINE["probes"]["ragged_module_graph_mode"]["result"]
    spec = probes._ragged_spec(hubcompat, tf)
    module = hubcompat.Module(spec)
    rt = tf.ragged.constant([[1.0, 2.0], [3.0]])
    out = module(rt, as_dict=True)
    assert isinstance(out["default"], tf.RaggedTensor)
    assert out["default"].to_list() == expected["default"]
    assert out["sum"].numpy().tolist() == expected["sum"]
    parts = module({"lengths": [2, 0, 1], "values": ["a", "b", "c"]}, signature="from_parts")
    assert [[str(v) for v in row] for row in parts.to_list()] == expected["from_parts"]
    assert module([[1.0, 2.0], [3.0]]).to_list() == expected["default"]  # nested lists
    with pytest.raises(TypeError, match="Expected RaggedTensor"):
        module(tf.constant([[1.0, 2.0]]))

    @tf.function
    def call(x):
        return module(x, as_dict=True)["sum"]

    assert call(rt).numpy().tolist() == expected["sum"]

    path = str(tmp_path / "ragged")
    module.export(path, None)
    loaded = hubcompat.load(path)
    assert loaded(rt).to_list() == expected["default"]
    assert loaded(rt, as_dict=True)["sum"].numpy().tolist() == expected["sum"]
    rt32 = tf.RaggedTensor.from_row_splits(rt.flat_values, tf.cast(rt.row_splits, tf.int32))
    assert loaded(rt32).to_list() == expected["default"]  # int32 row splits are cast


def test_convert_writes_ragged_signatures(tmp_path):
    """convert (and its verification) of a module with ragged signatures; genuine's numbers."""
    import tensorflow as tf

    expected = parity.GENUINE["probes"]["ragged_module_graph_mode"]["result"]

    def module_fn():  # the "default" signature of probes._ragged_spec
        x = tf.compat.v1.ragged.placeholder(tf.float32, 1, [])
        v = tf.compat.v1.get_variable("v", [], initializer=tf.compat.v1.constant_initializer(2.0))
        hubcompat.add_signature(inputs=x, outputs={"default": x * v,
                                                   "sum": tf.reduce_sum(x * v, axis=1)})

    module = hubcompat.Module(hubcompat.create_module_spec(module_fn))
    module.export(str(tmp_path / "module"), None)
    report = hubcompat.convert(str(tmp_path / "module"), str(tmp_path / "converted"))
    assert report.verified and report.ok, report.differences
    assert "default/default" in report.differences
    loaded = tf.saved_model.load(str(tmp_path / "converted"))
    rt = tf.ragged.constant([[1.0, 2.0], [3.0]])
    assert loaded(rt, training=False).to_list() == expected["default"]
