"""Errors name the handle or file, say what exists and carry it as attributes.

Legacy-API messages are tensorflow_hub 0.15's, word for word (legacy programs
print them, tests/legacy/test_legacy_programs.py compares); what the module has is in
a PEP 678 note (shown in tracebacks) and in attributes.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import hubcompat
import hubcompat as hub
from hubcompat import errors, preflight, reference_npz

from tests.support.paths import FIXTURES

MLP_BN = str(FIXTURES / "mlp_bn")


def test_every_error_takes_keyword_attributes_and_stays_a_builtin():
    e = errors.ModuleNotFound("gone", handle="h", path="/p")
    assert isinstance(e, FileNotFoundError) and str(e) == "gone"
    assert (e.handle, e.path, e.url, e.status, e.available) == ("h", "/p", None, None, None)
    k = errors.SignatureError("no 'x'", available=["a"], note="it has 'a'")
    assert isinstance(k, KeyError) and str(k) == "no 'x'" and k.available == ["a"]
    assert k.__notes__ == ["it has 'a'"]


def test_legacy_unknown_tags_name_the_module_and_its_tag_sets():
    with tf.Graph().as_default(), pytest.raises(ValueError) as e:
        hub.Module(MLP_BN, tags={"nope"})
    assert str(e.value) == "No such graph variant: tags=['nope']"
    (note,) = e.value.__notes__
    assert MLP_BN in note and "[[], ['train']]" in note and "tags=" in note
    assert e.value.handle == MLP_BN and e.value.available == [[], ["train"]]
    assert e.value.tags == ["nope"]


def test_legacy_unknown_signature_lists_the_signatures():
    spec = hub.load_module_spec(MLP_BN)
    with pytest.raises(ValueError) as e:
        spec.get_input_info_dict("nope")
    assert str(e.value) == "Signature 'nope' is missing from meta graph."
    (note,) = e.value.__notes__
    assert "['default', 'double']" in note and MLP_BN in note and "signature=" in note
    assert e.value.available == ["default", "double"] and e.value.signature == "nope"
    assert e.value.handle == MLP_BN


def test_legacy_shape_and_key_errors_name_the_module_and_its_inputs():
    with tf.Graph().as_default():
        m = hub.Module(MLP_BN)
        with pytest.raises(TypeError) as e:
            m({"x": [[1.0, 2.0]]})
        assert str(e.value).startswith("Can't convert 'x': Got TensorSpec(shape=(1, 2)")
        assert e.value.__notes__ == [f"Module {MLP_BN}, signature 'default' takes x: float32 [?, 4]."]
        assert e.value.handle == MLP_BN and e.value.available == ["x"]
        with pytest.raises(TypeError) as e:
            m({"y": [[1.0, 2.0, 3.0, 4.0]]})
        assert str(e.value) == "Cannot convert dict_inputs: missing ['x'], extra given ['y']"
        assert MLP_BN in e.value.__notes__[0]


def test_load_shape_and_dtype_errors_name_the_module():
    module = hubcompat.load(MLP_BN)
    with pytest.raises(errors.InputError) as e:
        module(np.zeros((1, 3), np.float32))
    assert str(e.value).startswith(f"Module {MLP_BN!r}: Input 'x'")
    assert "takes x: float32 [?, 4]" in str(e.value)
    assert (e.value.path, e.value.signature, e.value.input) == (MLP_BN, "default", "x")
    with pytest.raises(errors.InputTypeError) as e:
        module(tf.zeros((1, 4), tf.int32))
    assert MLP_BN in str(e.value) and "needs dtype float32" in str(e.value)


def test_a_reference_in_another_format_says_so(tmp_path):
    fixture_reference = FIXTURES / "mlp_bn.reference.npz"  # keys infer/..., grad/..., input/...
    with pytest.raises(errors.ReferenceFileError) as e:
        reference_npz.read(fixture_reference)
    assert "in another format" in str(e.value) and "--record" in str(e.value)
    assert e.value.path == str(fixture_reference)
    assert "infer/default/default" in e.value.keys
    assert not any(k.startswith("input/default/") for k in e.value.keys)
    empty = tmp_path / "empty.npz"
    np.savez(empty)
    with pytest.raises(errors.ReferenceFileError, match="holds no arrays"):
        reference_npz.read(empty)


def test_resolve_and_convert_errors_carry_handle_and_path(tmp_path):
    with pytest.raises(errors.UnresolvableHandleError) as e:
        hubcompat.resolve("no/such/model")
    assert e.value.handle == "no/such/model" and e.value.path.endswith("no/such/model")
    assert "LocalFolderResolver" in e.value.available
    with pytest.raises(errors.DestinationExistsError) as e:
        preflight.conversion(MLP_BN, tmp_path, overwrite=False)
    assert (e.value.handle, e.value.path) == (MLP_BN, str(tmp_path))
    with pytest.raises(errors.UnknownFormatError) as e:
        hubcompat.detect_format(FIXTURES)
    assert e.value.path == str(FIXTURES) and "mlp_bn" in e.value.available


def test_http_errors_carry_url_and_status(tmp_path, monkeypatch):
    import http.server
    import threading

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_error(404)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HUBCOMPAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HUBCOMPAT_OFFLINE", raising=False)
    url = f"http://127.0.0.1:{server.server_address[1]}/model.tar.gz"
    try:
        with pytest.raises(errors.DownloadError) as e:
            hubcompat.resolve(url)
    finally:
        server.shutdown()
        server.server_close()
    assert e.value.status == 404 and e.value.url.startswith(url)
    assert "HTTP 404" in str(e.value) and "version number" in str(e.value)
