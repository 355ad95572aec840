"""tensorflow_hub's order of a module's map keys, the same in every process (proto_order.py).

``genuine_map_orders.json``: key lists serialized as SignatureDef.inputs entries
in the order given, parsed by genuine tensorflow_hub's protobuf (4.25, upb, on
TF 2.15), and the order that map then iterated in (made by a small script
run with the genuine venv's Python (tensorflow_hub 0.15, TF 2.15); the wire order, not the key set,
decides where keys that collide go).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hubcompat.tf1.proto_order import saved_model_key_orders, upb_map_order, wyhash

from tests.support.paths import FIXTURES, GENUINE_PARITY, REPO

RECORDED = json.loads((Path(__file__).parent / "genuine_map_orders.json").read_text())


@pytest.mark.parametrize("wire, genuine", RECORDED, ids=[f"{len(w)} keys" for w, _ in RECORDED])
def test_map_order_is_genuine_protobufs(wire, genuine):
    assert upb_map_order(wire) == genuine


def test_wyhash_of_the_empty_and_long_strings_differ_and_are_32_bits():
    values = {wyhash(b""), wyhash(b"a" * 65), wyhash(b"a" * 200), wyhash(b"abc")}
    assert len(values) == 4 and all(0 <= v < 2**32 for v in values)


def test_wire_order_is_read_from_the_file():
    data = (FIXTURES / "bert_like" / "saved_model.pb").read_bytes()
    orders = saved_model_key_orders(data)
    assert len(orders) == 2
    assert sorted(orders[0].signatures) == ["tokenization_info", "tokens"]
    assert sorted(orders[0].inputs["tokens"]) == ["input_ids", "input_mask", "segment_ids"]


_PRINT_ORDERS = """
import json, sys
sys.path.insert(0, sys.argv[1])
import record, hubcompat
print(json.dumps(record.run_probe("module_dict_orders", hubcompat)))
"""


@pytest.mark.heavy
def test_every_process_gives_genuines_order():
    """protobuf >= 5 seeds its map hash per process; our order must not follow it."""
    genuine = json.loads((GENUINE_PARITY / "genuine.json").read_text())["probes"]["module_dict_orders"]
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", _PRINT_ORDERS, str(GENUINE_PARITY)], cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        ours = json.loads(proc.stdout.strip().splitlines()[-1])
        assert ours == genuine  # lists compared in order: y, truncation, z for BigGAN's inputs
