"""A module with four named inputs, called with a dict literal (multi_input)."""

import tensorflow_hub as tfhub


def run(module_path, ref):
    model = tfhub.Module(module_path)
    inputs = {name: ref[f"input/default/{name}"] for name in ("ids", "mask", "scale", "x")}
    outputs = model(
        {"ids": inputs["ids"], "mask": inputs["mask"], "scale": inputs["scale"], "x": inputs["x"]},
        as_dict=True,
    )
    default = model(inputs)
    return {
        "infer/default/default": [outputs["default"], default],
        "infer/default/id_sum": [outputs["id_sum"]],
    }
