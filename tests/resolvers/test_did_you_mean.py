"""A mistyped local handle: a short refusal that names the path it most likely meant."""

from __future__ import annotations

import pytest

import hubcompat
from hubcompat import errors

from tests.support.paths import REPO


def refusal(handle: str) -> errors.UnresolvableHandleError:
    with pytest.raises(errors.UnresolvableHandleError) as info:
        hubcompat.resolve(handle)
    message = str(info.value)
    paths = (handle, info.value.path or "", info.value.suggestion or "")
    short = message
    for path in sorted(paths, key=len, reverse=True):
        short = short.replace(path, "") if path else short
    assert len(message.splitlines()) <= 3 and len(short) < 260, message  # was 700 and 1 line
    return info.value


def test_the_fixture_typo_from_the_issue(monkeypatch):
    monkeypatch.chdir(REPO)
    error = refusal("fixtures/tf1_modules/mlp_bnn")
    assert error.suggestion == "fixtures/tf1_modules/mlp_bn"
    assert "Did you mean 'fixtures/tf1_modules/mlp_bn'?" in str(error)
    assert error.handle == "fixtures/tf1_modules/mlp_bnn"


def test_typos_in_folders_above_and_in_file_urls(tmp_path):
    (tmp_path / "models" / "encoder_v2").mkdir(parents=True)
    (tmp_path / "models" / "decoder").mkdir()
    assert refusal(str(tmp_path / "modles" / "encoder-v2")).suggestion == str(
        tmp_path / "models" / "encoder_v2"
    )
    url = (tmp_path / "models" / "encodr_v2").as_uri()
    assert refusal(url).suggestion == (tmp_path / "models" / "encoder_v2").as_uri()


def test_no_guess_when_nothing_is_close(tmp_path):
    (tmp_path / "encoder").mkdir()
    error = refusal(str(tmp_path / "zzzzqqq"))
    assert error.suggestion is None and "Did you mean" not in str(error)
    assert "Pass an existing folder or archive" in str(error)
    remote = refusal("mirror://model")  # not a local path: no guessing
    assert remote.suggestion is None and remote.path is None
