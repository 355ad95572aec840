from hubcompat.codemods.string_references import StringReferencesCommand as Cmd

from .helpers import check_noop, check_transformed

TODO = (
    "# TODO(hubcompat): string reference {!r} still names tensorflow_hub "
    "(mock target / import by name): point it at hubcompat or at the new calls"
)


def test_mock_patch_targets():
    events = check_transformed(
        Cmd,
        """
        from unittest import mock

        @mock.patch("tensorflow_hub.Module")
        def test_a(module):
            with mock.patch('tensorflow_hub.load'):
                pass
        """,
        f"""
        from unittest import mock

        {TODO.format("tensorflow_hub.Module")}
        @mock.patch("tensorflow_hub.Module")
        def test_a(module):
            {TODO.format("tensorflow_hub.load")}
            with mock.patch('tensorflow_hub.load'):
                pass
        """,
    )
    assert {e["kind"] for e in events} == {"todo"}


def test_import_by_name():
    check_transformed(
        Cmd,
        """
        import importlib
        hub = importlib.import_module("tensorflow_hub")
        """,
        f"""
        import importlib
        {TODO.format("tensorflow_hub")}
        hub = importlib.import_module("tensorflow_hub")
        """,
    )


def test_noop_docstrings_and_other_strings():
    check_noop(
        Cmd,
        '''
        """Uses tensorflow_hub.Module."""
        print("see tensorflow_hub docs")
        x = "tensorflow_hub.Module"
        ''',
    )
