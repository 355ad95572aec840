import tensorflow_hub as hub


def describe(handle):
    spec = hub.load_module_spec(handle)
    height, width = hub.get_expected_image_size(spec)
    return {
        "signatures": spec.get_signature_names(),
        "inputs": spec.get_input_info_dict("image_feature_vector"),
        "size": (height, width),
        "channels": hub.get_num_image_channels(spec),
    }
