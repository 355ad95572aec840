"""ELMo-style use: signature="tokens", as_dict=True, several outputs.

Usage: python elmo_tokens.py ELMO_TOKENS_MODULE_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 4), separator=", ")


def main(module_dir):
    elmo = hub.Module(module_dir, trainable=True)
    tokens = [["the", "cat", "sat", ""], ["dog", "ran", "", ""]]
    outputs = elmo(inputs={"tokens": tokens, "sequence_len": [3, 2]},
                   signature="tokens", as_dict=True)
    default = elmo(["the cat sat on the mat", "dog"], signature="default", as_dict=True)
    pooled = elmo(["the mat"])
    print("signatures:", sorted(elmo.get_signature_names()))
    print("tokens inputs:", sorted(elmo.get_input_info_dict("tokens").items()))
    print("tokens outputs:", sorted(elmo.get_output_info_dict("tokens").items()))
    for key in sorted(outputs):
        print("output", key, outputs[key].dtype.name, outputs[key].shape)
    print("names:", sorted(t.name for t in outputs.values()))
    print("trainable:", [v.name for v in tf.compat.v1.trainable_variables()])
    print("assets:", len(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS)))
    with tf.compat.v1.train.MonitoredSession() as session:
        values = session.run(outputs)
        for key in sorted(values):
            print(key, fmt(values[key]))
        values = session.run(default)
        for key in sorted(values):
            print("default", key, fmt(values[key]))
        print("pooled", fmt(session.run(pooled)))


if __name__ == "__main__":
    main(sys.argv[1])
