"""Helpers for image modules: ``ImageModuleInfo`` and the expected input size."""

from __future__ import annotations

from hubcompat import errors
from hubcompat.legacy.protos import ImageModuleInfo
from hubcompat.tf1.hub_format import IMAGE_MODULE_INFO_KEY

__all__ = ["ImageModuleInfo", "attach_image_module_info", "get_expected_image_size",
           "get_num_image_channels"]


def attach_image_module_info(image_module_info) -> None:
    """Attaches an ImageModuleInfo message from within a ``module_fn``."""
    # Here, not at the top: the rest of this module needs no TensorFlow (example_inputs uses it).
    from hubcompat.legacy.builder import attach_message

    attach_message(IMAGE_MODULE_INFO_KEY, image_module_info)


def get_image_module_info(module_or_spec, required=False):
    return module_or_spec.get_attached_message(IMAGE_MODULE_INFO_KEY, ImageModuleInfo,
                                               required=required)


def _image_shape(module_or_spec, signature, input_name):
    input_name = input_name or "images"
    infos = module_or_spec.get_input_info_dict(signature)
    if input_name not in infos:
        raise errors.InputError(
            f"Module is missing input '{input_name}' in signature '{signature or 'default'}'.")
    return infos[input_name].get_shape()


def get_expected_image_size(module_or_spec, signature=None, input_name=None) -> list[int]:
    """``[height, width]`` from the attached ImageModuleInfo, else from the input's shape."""
    info = get_image_module_info(module_or_spec)
    if info and info.default_image_size.height and info.default_image_size.width:
        return [info.default_image_size.height, info.default_image_size.width]
    shape = _image_shape(module_or_spec, signature, input_name)
    dims = shape.as_list() if shape.rank == 4 else None
    if not dims or not dims[1] or not dims[2]:
        raise errors.InputError(
            f"Shape of module input is {shape}, expected [batch_size, height, width, "
            "num_channels] with known height and width.")
    return [dims[1], dims[2]]


def get_num_image_channels(module_or_spec, signature=None, input_name=None) -> int:
    """The number of channels of the image input (its last dimension)."""
    shape = _image_shape(module_or_spec, signature, input_name)
    dims = shape.as_list() if shape.rank == 4 else None
    if not dims or dims[3] is None:
        raise errors.InputError(
            f"Shape of module input is {shape}, expected [batch_size, height, width, "
            "num_channels] with known num_channels")
    return dims[3]
