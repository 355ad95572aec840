"""A module-level embedding helper around a TF1 module (text_embed: strings in, vectors out)."""

from tensorflow_hub import Module


def run(module_path, ref):
    sentences = [s.decode() for s in ref["input/default/default"]]
    embed = Module(module_path)
    vectors = embed(sentences)
    outputs = embed(sentences, as_dict=True)
    return {"infer/default/default": [vectors, outputs["default"]]}
