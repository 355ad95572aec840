"""The order in which tensorflow_hub lists a module's signatures and signature keys.

tensorflow_hub builds ``get_input_info_dict()``, ``get_output_info_dict()``,
``get_signature_names()`` and ``as_dict=True`` outputs by iterating protobuf
``map`` fields. With the protobuf its TensorFlow (2.15) installs, 4.25's upb,
a map iterates in the slot order of upb's hash table: the keys hashed with
Wyhash (seed 0), inserted in the order the file lists them (the wire order),
collisions resolved Lua-style (Brent's variation), the table doubling past
85 % load. So genuine prints ``y, truncation, z`` for BigGAN's inputs in
every process. Newer protobuf seeds the hash per process, which made
hubcompat's order change from run to run; this module recomputes genuine's
order instead. It was checked against genuine tensorflow_hub for thousands of
random key sets and every module in the test fixtures
(``tests/tf1/test_proto_order.py`` keeps a recorded sample).

The wire order is read from the file's bytes (:func:`saved_model_key_orders`,
with :mod:`hubcompat._wire`): a parsed message no longer has it. Pure Python,
no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from hubcompat import _wire

_M64 = (1 << 64) - 1
# upb's Wyhash salt (the digits of pi, as in abseil's Wyhash).
_SALT = (0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0,
         0x082EFA98EC4E6C89, 0x452821E638D01377)
_MAX_LOAD = 0.85
_INITIAL_SIZE_LG2 = 3  # upb_strtable_init(4): (4 + 1) * 1204 / 1024 entries -> 8 slots


def _mix(a: int, b: int) -> int:
    product = a * b
    return (product & _M64) ^ (product >> 64)


def _load(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at:at + size], "little")


def wyhash(data: bytes, seed: int = 0) -> int:
    """upb's 32-bit string hash (abseil's Wyhash, truncated)."""
    n, at = len(data), 0
    state = seed ^ _SALT[0]
    if n > 64:
        other = state
        while n > 64:
            a, b, c, d, e, f, g, h = (_load(data, at + 8 * k, 8) for k in range(8))
            state = _mix(a ^ _SALT[1], b ^ state) ^ _mix(c ^ _SALT[2], d ^ state)
            other = _mix(e ^ _SALT[3], f ^ other) ^ _mix(g ^ _SALT[4], h ^ other)
            at, n = at + 64, n - 64
        state ^= other
    while n > 16:
        state = _mix(_load(data, at, 8) ^ _SALT[1], _load(data, at + 8, 8) ^ state)
        at, n = at + 16, n - 16
    if n > 8:
        a, b = _load(data, at, 8), _load(data, at + n - 8, 8)
    elif n > 3:
        a, b = _load(data, at, 4), _load(data, at + n - 4, 4)
    elif n > 0:
        a, b = (data[at] << 16) | (data[at + (n >> 1)] << 8) | data[at + n - 1], 0
    else:
        a = b = 0
    return _mix(_mix(a ^ _SALT[1], b ^ state), _SALT[1] ^ len(data)) & 0xFFFFFFFF


class _Table:
    """upb's string hash table, keys only."""

    def __init__(self, size_lg2: int) -> None:
        self.size_lg2 = size_lg2
        self.size = 1 << size_lg2
        self.max_count = int(self.size * _MAX_LOAD)
        self.keys: list[bytes | None] = [None] * self.size
        self.next: list[int | None] = [None] * self.size
        self.count = 0

    def insert(self, key: bytes) -> None:
        mask = self.size - 1
        self.count += 1
        main = wyhash(key) & mask
        occupant = self.keys[main]
        if occupant is None:
            ours = main
            self.next[ours] = None
        else:
            free = next(i for i in [*range(main + 1, self.size), *range(self.size)]
                        if self.keys[i] is None)
            chain = wyhash(occupant) & mask
            if chain == main:  # the occupant is at home: we join its chain
                self.next[free], self.next[main] = self.next[main], free
                ours = free
            else:  # the occupant is a guest: move it to the free slot, take its place
                self.keys[free], self.next[free] = occupant, self.next[main]
                while self.next[chain] != main:
                    chain = self.next[chain]  # type: ignore[assignment]  # the chain reaches main
                self.next[chain] = free
                ours = main
                self.next[ours] = None
        self.keys[ours] = key

    def ordered(self) -> list[bytes]:
        return [key for key in self.keys if key is not None]


def upb_map_order(keys: Iterable[str]) -> list[str]:
    """The order a upb 4.25 map iterates ``keys`` in, inserted in the order given."""
    table = _Table(_INITIAL_SIZE_LG2)
    seen: set[bytes] = set()
    for key in keys:
        raw = key.encode("utf-8", "surrogateescape")
        if raw in seen:
            continue
        seen.add(raw)
        if table.count == table.max_count:
            grown = _Table(table.size_lg2 + 1)
            for old in table.ordered():
                grown.insert(old)
            table = grown
        table.insert(raw)
    return [key.decode("utf-8", "surrogateescape") for key in table.ordered()]


def genuine_order(keys: Iterable[str], wire_order: list[str] | None = None) -> list[str]:
    """``keys`` in tensorflow_hub's order: from the file's ``wire_order`` when it lists
    exactly these keys, else (a module built in memory) as if inserted sorted."""
    present = list(keys)
    if wire_order is None or sorted(wire_order) != sorted(present):
        wire_order = sorted(present)
    return upb_map_order(wire_order)


# --- The wire order, read from saved_model.pb's bytes ----------------------------


@dataclass
class MetaGraphKeyOrder:
    """The keys of one MetaGraphDef's maps, in the order its file lists them."""

    signatures: list[str] = field(default_factory=list)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, list[str]] = field(default_factory=dict)


def _map_entries(buf: memoryview, number: int) -> Iterator[tuple[str, memoryview]]:
    """``(key, value bytes)`` of each entry of the ``map<string, message>`` field ``number``."""
    for field_number, wire_type, entry in _wire.fields(buf):
        if field_number == number and wire_type == _wire.LENGTH_DELIMITED:
            key, value = b"", memoryview(b"")
            for entry_field, entry_type, content in _wire.fields(entry):  # type: ignore[arg-type]
                if entry_type != _wire.LENGTH_DELIMITED:
                    continue
                if entry_field == 1:
                    key = bytes(content)
                elif entry_field == 2:
                    value = content  # type: ignore[assignment]
            yield key.decode("utf-8", "surrogateescape"), value


def saved_model_key_orders(data: bytes) -> list[MetaGraphKeyOrder]:
    """For each MetaGraphDef of a serialized SavedModel, in order: its map keys in wire order.

    SavedModel.meta_graphs is field 2; MetaGraphDef.signature_def field 5;
    SignatureDef.inputs / .outputs fields 1 / 2 (tensorflow/core/protobuf).
    """
    orders = []
    for number, wire_type, meta_graph in _wire.fields(data):
        if number != 2 or wire_type != _wire.LENGTH_DELIMITED:
            continue
        order = MetaGraphKeyOrder()
        for name, signature in _map_entries(meta_graph, 5):  # type: ignore[arg-type]
            order.signatures.append(name)
            order.inputs[name] = [key for key, _ in _map_entries(signature, 1)]
            order.outputs[name] = [key for key, _ in _map_entries(signature, 2)]
        orders.append(order)
    return orders
