"""TF1-computed references in the format of ``python -m hubcompat check`` (for its tests)."""

from __future__ import annotations

import json

import numpy as np

from tests.support.paths import FIXTURES, GENUINE, genuine

# The fixtures by name (fixtures/tf1_modules/catalog.json: folder, format, signatures, ...).
CATALOG = {f["name"]: f for f in json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]}


def tf1_reference(name: str) -> dict[str, np.ndarray]:
    """A fixture's TF1 reference in check's format: input/<sig>/<in>, output/<sig>/<out>."""
    folder = FIXTURES / CATALOG[name]["folder"]
    arrays = {}
    with np.load(FIXTURES / CATALOG[name]["reference"]) as ref:
        for key in ref.files:
            kind, rest = key.split("/", 1) if "/" in key else (key, "")
            if kind == "input":
                arrays[key] = ref[key]
            elif kind == "infer":
                value = ref[key]
                if rest.endswith("/vocab_file"):  # an asset path, recorded relative to the module
                    value = np.array(str(folder / value.item().decode()).encode())
                arrays[f"output/{rest}"] = value
    if name == "tf2_mul":
        # tf.saved_model.save made serving_default from the input_signature of
        # __call__: the same function, with TF's default output name.
        arrays["input/serving_default/inputs"] = arrays["input/__call__/inputs"]
        arrays["output/serving_default/output_0"] = arrays["output/__call__/default"]
    return arrays


def genuine_reference(name: str, inputs: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """A genuine module's reference (one input fed to every signature) in check's format."""
    genuine(name)  # skips the test when ../shared is not there
    with np.load(GENUINE / f"{name}.reference.npz") as ref:
        (value,) = [ref[k] for k in ref.files if k.startswith("input/")]
        arrays = {f"output/{k.split('/', 1)[1]}": ref[k] for k in ref.files if k.startswith("infer/")}
    for signature, names in inputs.items():
        arrays.update({f"input/{signature}/{n}": value for n in names})
    return arrays
