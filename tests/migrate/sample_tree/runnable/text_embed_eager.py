"""Module-level embedding helper (what people wrote around hub.Module in Keras code)."""
from tensorflow_hub import Module


def embed_sentences(module_path, sentences):
    embed = Module(module_path)
    return embed(sentences)
