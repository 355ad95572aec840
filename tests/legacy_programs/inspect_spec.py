"""load_module_spec inspection: tags, signatures, inputs, outputs, attachments.

Usage: python inspect_spec.py MODULE_DIR...
"""
import os
import sys

import tensorflow as tf
import tensorflow_hub as hub


def main(module_dirs):
    for module_dir in module_dirs:
        spec = hub.load_module_spec(module_dir)
        print("==", os.path.basename(module_dir.rstrip("/")))
        tag_sets = spec.get_tags()
        print("tags:", sorted(sorted(t) for t in tag_sets))
        for tags in sorted(tag_sets, key=sorted):
            names = sorted(spec.get_signature_names(tags=tags))
            print(" tags", sorted(tags), "signatures", names)
            for name in names:
                inputs = spec.get_input_info_dict(name, tags)
                outputs = spec.get_output_info_dict(signature=name, tags=tags)
                for key, info in sorted(inputs.items()):
                    print("  in", name, key, info, info.dtype.name, info.get_shape(), info.is_sparse,
                          info.is_composite, info.type_spec)
                for key, info in sorted(outputs.items()):
                    print("  out", name, key, info)
        info = spec.get_attached_message("image_module_info", hub.ImageModuleInfo)
        print("image info:", None if info is None else (info.default_image_size.height,
                                                          info.default_image_size.width))
        try:
            spec.get_attached_message("missing", hub.ImageModuleInfo, required=True)
        except KeyError as e:
            print("KeyError:", isinstance(e, KeyError))
        try:
            hub.get_expected_image_size(spec)
            print("image size:", hub.get_expected_image_size(spec))
        except ValueError as e:
            print("ValueError:", e)
        try:
            spec.get_input_info_dict("no_such_signature")
        except ValueError as e:
            print("ValueError:", e)
    with tf.Graph().as_default():
        try:
            hub.Module(module_dirs[0], tags={"no", "such"})
        except ValueError as e:
            print("ValueError:", e)


if __name__ == "__main__":
    main(sys.argv[1:])
