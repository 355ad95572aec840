"""``ImageModuleInfo``, tensorflow_hub's message for image modules, built without it.

It has the same field numbers and full name as tensorflow_hub's, so
serialized bytes are interchangeable, and lives in a private descriptor pool,
so importing tensorflow_hub in the same process does not clash. (The
``ModuleAttachment`` that carries it in a module's graph is encoded and parsed
by :mod:`hubcompat.tf1.hub_format`.)
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


_message_file("tensorflow_hub/image_module_info.proto", {
    "ImageModuleInfo": (
        [("default_image_size", 1, _F.TYPE_MESSAGE, ".tensorflow_hub.ImageModuleInfo.InputSize")],
        {"InputSize": [("height", 1, _F.TYPE_INT32, None), ("width", 2, _F.TYPE_INT32, None)]},
    ),
})

ImageModuleInfo = message_factory.GetMessageClass(
    _POOL.FindMessageTypeByName("tensorflow_hub.ImageModuleInfo"))

