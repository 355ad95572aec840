"""hub.eval_function_for_module: evaluate signatures without writing a graph.

Usage: python eval_function.py MLP_BN_DIR IMAGE_MODULE_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def main(mlp_dir, image_dir):
    with hub.eval_function_for_module(mlp_dir) as f:
        out = f({"x": [[1.0, 2.0, 3.0, 4.0]]}, as_dict=True)
        print("keys:", sorted(out))
        print("default:", fmt(out["default"]))
        print("double:", fmt(f([[1.0, 0.0, 0.0, 1.0]], signature="double")))
    with hub.eval_function_for_module(image_dir) as f:
        print("features:", fmt(f(np.ones((1, 8, 8, 3), np.float32) / 2)))
    print("graph ops after:", len(tf.compat.v1.get_default_graph().get_operations()))


if __name__ == "__main__":
    main(*sys.argv[1:])
