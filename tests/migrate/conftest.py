from __future__ import annotations

import pytest

# sample_tree/ and modern_programs/ are input data for the migration tests (TF1 code, a Python 2 file): never collect it.
collect_ignore = ["sample_tree", "modern_programs"]


@pytest.fixture
def installed_from_index(tmp_path_factory, monkeypatch):
    """This hubcompat as pip leaves one installed from an index (PyPI): a dist-info with
    ``INSTALLER`` and no ``direct_url.json`` (PEP 610), first on sys.path. Migrate then
    writes ``hubcompat==<version>`` (tests/migrate/test_requirement.py covers the others)."""
    from hubcompat import __version__

    site = tmp_path_factory.mktemp("index-site")
    info = site / f"hubcompat-{__version__}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: hubcompat\nVersion: {__version__}\n"
    )
    (info / "INSTALLER").write_text("pip\n")
    monkeypatch.syspath_prepend(str(site))
    from hubcompat import _requirement

    assert _requirement.installed() == f"hubcompat=={__version__}"
    return site
