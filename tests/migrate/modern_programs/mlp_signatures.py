"""TF1 eager-style use of a two-signature module (mlp_bn): dict, as_dict and signature calls."""

import tensorflow_hub as hub


def run(module_path, ref):
    mlp = hub.Module(module_path)
    x = ref["input/default/x"]
    outputs = mlp({"x": x}, as_dict=True)
    default = mlp({"x": x})
    plain = mlp(x)
    feats = {"x": x}
    normalized = mlp(feats, as_dict=True)["normalized"]
    doubled = mlp(ref["input/double/default"], signature="double")
    return {
        "infer/default/default": [default, plain, outputs["default"]],
        "infer/default/hidden": [outputs["hidden"]],
        "infer/default/normalized": [normalized],
        "infer/double/default": [doubled],
        "signatures": sorted(mlp.get_signature_names()),
    }
