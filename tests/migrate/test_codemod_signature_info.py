from hubcompat.codemods.signature_info import SignatureInfoCommand as Cmd

from .helpers import check_noop, check_transformed


def test_loaded_model_queries():
    check_transformed(
        Cmd,
        """
        import tensorflow_hub as hub

        m = hub.load("h")
        names = m.get_signature_names()
        inputs = m.get_input_info_dict()
        outputs = m.get_output_info_dict(signature="tokens")
        dyn = m.get_input_info_dict(sig)
        """,
        """
        import tensorflow_hub as hub

        m = hub.load("h")
        names = list(m.signatures.keys())
        inputs = m.signatures["default"].structured_input_signature[1]
        outputs = m.signatures["tokens"].structured_outputs
        dyn = m.signatures[sig or "default"].structured_input_signature[1]
        """,
    )


def test_spec_used_only_for_queries_becomes_load():
    check_transformed(
        Cmd,
        """
        from tensorflow_hub import load_module_spec

        spec = load_module_spec("h")
        print(spec.get_signature_names())
        print(load_module_spec("h2").get_output_info_dict())
        """,
        """
        from tensorflow_hub import load

        spec = load("h")
        print(list(spec.signatures.keys()))
        print(load("h2").signatures["default"].structured_outputs)
        """,
    )


def test_noop_spec_used_otherwise_graph_code_and_unknown_objects():
    check_noop(
        Cmd,
        """
        import tensorflow_hub as hub

        spec = hub.load_module_spec("h")
        names = spec.get_signature_names()
        module = hub.Module(spec)
        other.get_signature_names()
        """,
    )
    check_noop(
        Cmd,
        """
        import tensorflow as tf
        import tensorflow_hub as hub

        spec = hub.load_module_spec("h")
        names = spec.get_signature_names()
        sess = tf.Session()
        """,
    )
