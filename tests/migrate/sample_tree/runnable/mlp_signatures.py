import tensorflow_hub as hub


def run(module_path, x):
    mlp = hub.Module(module_path)
    outputs = mlp({"x": x}, as_dict=True)
    doubled = mlp(x, signature="double")
    return outputs["default"], outputs["hidden"], doubled
