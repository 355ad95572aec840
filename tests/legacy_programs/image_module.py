"""Image module: get_expected_image_size, a placeholder, a second signature.

Usage: python image_module.py IMAGE_MODULE_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def main(module_dir):
    module_spec = hub.load_module_spec(module_dir)
    height, width = hub.get_expected_image_size(module_spec)
    channels = hub.get_num_image_channels(module_spec)
    print("expected size:", height, width, "channels:", channels)
    info = module_spec.get_attached_message("image_module_info", hub.ImageModuleInfo)
    print("info:", info.default_image_size.height, info.default_image_size.width)
    images = tf.compat.v1.placeholder(tf.float32, [None, height, width, channels], name="images")
    module = hub.Module(module_spec, name="image_module")
    features = module(images)
    logits = module(dict(images=images), signature="image_classification")
    print("features:", features.name, features.shape)
    print("logits:", logits.name, logits.shape)
    print("sizes from module:", hub.get_expected_image_size(module), hub.get_num_image_channels(module))
    print("variables:", [v.name for v in module.variables])
    print("scopes:", sorted({op.name.split("/")[0] for op in tf.compat.v1.get_default_graph().get_operations()}))
    rng = np.random.RandomState(0)
    batch = rng.uniform(size=(2, height, width, channels)).astype(np.float32)
    with tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        feats, logit_values = session.run([features, logits], {images: batch})
        print("features:", fmt(feats))
        print("logits:", fmt(logit_values))


if __name__ == "__main__":
    main(sys.argv[1])
