from hubcompat.codemods.image_size import ImageSizeCommand as Cmd

from .helpers import check_noop, check_transformed


def test_loaded_model_and_query_only_spec():
    check_transformed(
        Cmd,
        """
        import tensorflow_hub as hub

        m = hub.load("h")
        height, width = hub.get_expected_image_size(m)
        channels = hub.get_num_image_channels(m, signature="image_feature_vector")
        spec = hub.load_module_spec("h2")
        size = hub.get_expected_image_size(spec, input_name="pixels")
        """,
        """
        import tensorflow_hub as hub

        m = hub.load("h")
        height, width = m.signatures["default"].structured_input_signature[1]["images"].shape[1:3].as_list()
        channels = m.signatures["image_feature_vector"].structured_input_signature[1]["images"].shape[3]
        spec = hub.load("h2")
        size = spec.signatures["default"].structured_input_signature[1]["pixels"].shape[1:3].as_list()
        """,
    )


def test_noop_module_objects_and_graph_code():
    check_noop(
        Cmd,
        """
        import tensorflow_hub as hub

        spec = hub.load_module_spec("h")
        size = hub.get_expected_image_size(spec)
        module = hub.Module(spec)
        size2 = hub.get_expected_image_size(hub.Module("h"))
        """,
    )
    check_noop(
        Cmd,
        """
        import tensorflow.compat.v1 as tf
        import tensorflow_hub as hub

        m = hub.load("h")
        size = hub.get_expected_image_size(m)
        """,
    )
