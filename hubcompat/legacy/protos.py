"""The small protocol buffers of tensorflow_hub, built without tensorflow_hub.

``ModuleAttachment`` (a key and serialized bytes, stored in each MetaGraphDef)
and ``ImageModuleInfo`` (attached to image modules) have the same field
numbers and full names as tensorflow_hub's, so serialized bytes are
interchangeable. They live in a private descriptor pool, so importing
tensorflow_hub in the same process does not clash.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto
_POOL = descriptor_pool.DescriptorPool()


def _message_file(filename: str, messages: dict) -> None:
    file_proto = descriptor_pb2.FileDescriptorProto(
        name=filename, package="tensorflow_hub", syntax="proto3"
    )
    for name, (fields, nested) in messages.items():
        message = file_proto.message_type.add(name=name)
        for field_name, number, kind, type_name in fields:
            field = message.field.add(name=field_name, number=number, type=kind,
                                      label=_F.LABEL_OPTIONAL)
            if type_name:
                field.type_name = type_name
        for nested_name, nested_fields in nested.items():
            inner = message.nested_type.add(name=nested_name)
            for field_name, number, kind, _ in nested_fields:
                inner.field.add(name=field_name, number=number, type=kind, label=_F.LABEL_OPTIONAL)
    _POOL.Add(file_proto)


_message_file("tensorflow_hub/module_attachment.proto", {
    "ModuleAttachment": ([("key", 1, _F.TYPE_STRING, None), ("value", 2, _F.TYPE_BYTES, None)], {}),
})
_message_file("tensorflow_hub/image_module_info.proto", {
    "ImageModuleInfo": (
        [("default_image_size", 1, _F.TYPE_MESSAGE, ".tensorflow_hub.ImageModuleInfo.InputSize")],
        {"InputSize": [("height", 1, _F.TYPE_INT32, None), ("width", 2, _F.TYPE_INT32, None)]},
    ),
})

ModuleAttachment = message_factory.GetMessageClass(
    _POOL.FindMessageTypeByName("tensorflow_hub.ModuleAttachment"))
ImageModuleInfo = message_factory.GetMessageClass(
    _POOL.FindMessageTypeByName("tensorflow_hub.ImageModuleInfo"))

# tfhub_module.pb: ModuleDef { format: FORMAT_V3 } is the two bytes 08 03.
MODULE_DEF_V3 = b"\x08\x03"
