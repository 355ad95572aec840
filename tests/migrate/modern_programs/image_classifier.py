"""An image module with a second signature and the image-size helpers (image_classifier)."""

import tensorflow_hub as hub


def run(module_path, ref):
    classifier = hub.Module(module_path)
    height, width = hub.get_expected_image_size(classifier)
    channels = hub.get_num_image_channels(classifier)
    images = ref["input/default/images"]
    assert images.shape[1:] == (height, width, channels), (images.shape, height, width, channels)
    features = classifier(images)
    logits = classifier(ref["input/image_classification/images"], signature="image_classification")
    return {"infer/default/default": [features], "infer/image_classification/default": [logits]}
