from hubcompat.codemods.imports_to_hubcompat import ImportsToHubcompatCommand as Cmd

from .helpers import check_noop, check_transformed


def test_alias_kept():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf, tensorflow_hub as hub
        import tensorflow_hub as tfhub
        m = hub.Module("h")
        """,
        """
        import tensorflow as tf, hubcompat as hub
        import hubcompat as tfhub
        m = hub.Module("h")
        """,
    )


def test_plain_import_keeps_every_other_line():
    check_transformed(
        Cmd,
        """
        import tensorflow_hub
        m = tensorflow_hub.Module("h")
        """,
        """
        import hubcompat as tensorflow_hub
        m = tensorflow_hub.Module("h")
        """,
    )


def test_from_imports_and_function_local():
    events = check_transformed(
        Cmd,
        """
        from tensorflow_hub import Module, load_module_spec as lms
        from tensorflow_hub.keras_layer import KerasLayer

        def build():
            from tensorflow_hub import text_embedding_column
            return text_embedding_column("s", "h")
        """,
        """
        from hubcompat import Module, load_module_spec as lms
        from hubcompat import KerasLayer

        def build():
            from hubcompat import text_embedding_column
            return text_embedding_column("s", "h")
        """,
    )
    assert [e["line"] for e in events] == [2, 3, 6]  # the dedented source starts with a blank line


def test_submodule_imports_get_a_todo():
    events = check_transformed(
        Cmd,
        """
        import tensorflow_hub.tools
        from tensorflow_hub import module
        """,
        """
        # TODO(hubcompat): import tensorflow_hub.tools: hubcompat has no such submodule; import the names from hubcompat instead
        import tensorflow_hub.tools
        # TODO(hubcompat): from tensorflow_hub import <submodule>: hubcompat has no such submodule; import the names from hubcompat instead
        from tensorflow_hub import module
        """,
    )
    assert [e["kind"] for e in events] == ["todo", "todo"]


def test_noop_other_hubs_and_relative():
    check_noop(
        Cmd,
        """
        import paddlehub as hub
        from . import tensorflow_hub
        from .tensorflow_hub import Module
        import tensorflow_hubble
        m = hub.Module(name="ernie")
        """,
    )
