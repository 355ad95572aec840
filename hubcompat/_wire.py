"""A minimal reader of the protobuf wire format.

Just enough to read ``tfhub_module.pb`` and the top of ``saved_model.pb``
without importing TensorFlow (which costs seconds): fields are walked and
skipped by length, so a large ``graph_def`` is never decoded.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def _varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint too long")


def fields(data: bytes | memoryview) -> Iterator[tuple[int, int, int | memoryview]]:
    """Yields ``(field_number, wire_type, value)`` for each field of a message.

    Varints come back as ints, length-delimited fields as memoryviews, and
    fixed-width fields as ints of their raw little-endian bytes.
    """
    view = memoryview(data)
    pos = 0
    while pos < len(view):
        key, pos = _varint(view, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0")
        if wire_type == VARINT:
            value, pos = _varint(view, pos)
            yield number, wire_type, value
        elif wire_type == LENGTH_DELIMITED:
            length, pos = _varint(view, pos)
            if pos + length > len(view):
                raise WireError("truncated length-delimited field")
            yield number, wire_type, view[pos : pos + length]
            pos += length
        elif wire_type in (FIXED64, FIXED32):
            width = 8 if wire_type == FIXED64 else 4
            if pos + width > len(view):
                raise WireError("truncated fixed-width field")
            yield number, wire_type, int.from_bytes(view[pos : pos + width], "little")
            pos += width
        else:
            raise WireError(f"unsupported wire type {wire_type}")
