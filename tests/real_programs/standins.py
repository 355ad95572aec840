"""Stand-in modules with the published interfaces of the TF1 Hub modules the real programs use.

Run with GENUINE tensorflow_hub 0.15 (the legacy_reference venv): each module is built with
``hub.create_module_spec`` and exported by genuine ``hub.Module.export``, with small weights
drawn from a seeded numpy generator, and laid out the way tensorflow_hub caches a download:
``CACHE/<sha1 hex of the handle>/`` plus ``CACHE/<sha1>.descriptor.txt``.

    python tests/real_programs/standins.py CACHE [handle ...]
    python tests/real_programs/standins.py --module-dir DIR KIND     # one module at a path

Interfaces (signatures, input and output names, dtypes, static shapes) are the ones the
modules' documentation on tfhub.dev published:

- text embeddings (nnlm-*, universal-sentence-encoder*): signature "default", input
  "default" string [None], output "default" float32 [None, dim]; the words are looked up
  in a vocabulary asset (tokens.txt) with hashed out-of-vocabulary buckets and combined
  with ``sqrtn``, so the programs' ``tables_initializer()`` matters as it does there;
- elmo/2 and elmo/3: signatures "default" (input "default" string [None], split on
  spaces) and "tokens" ("tokens" string [None, None], "sequence_len" int32 [None]),
  outputs "default" [None, 1024], "elmo", "lstm_outputs1", "lstm_outputs2"
  [None, None, 1024], "word_emb" [None, None, 512], "sequence_len" int32 [None]; the
  four trainable scalars of the layer mix ("aggregation/weights", "aggregation/scaling");
  no lookup table (programs run ELMo without ``tables_initializer()``);
- image feature vectors (imagenet/*/feature_vector): signatures "default" and
  "image_feature_vector", input "images" float32 [None, H, W, 3], output "default"
  float32 [None, features]. The published modules also expose intermediate activations
  ("InceptionV3/Mixed_7c", ...); the stand-ins do not (no program here reads them).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import shutil
import socket
import sys
import tempfile

import numpy as np

VOCAB = ("the a is on of and in to i am for which would like get its embedding sentence "
         "cat mat dogs are fog dog quick brown fox jumps over lazy world elephant movie was "
         "great green eggs ham you eat them box this test there no hard limit how long "
         "paragraph roughly longer more diluted will be").split()
OOV_BUCKETS = 16

# handle -> (kind, parameters)
HANDLES = {
    "https://tfhub.dev/google/nnlm-en-dim128/1": ("text", {"dim": 128, "normalize": False}),
    "https://tfhub.dev/google/nnlm-en-dim128-with-normalization/1": (
        "text", {"dim": 128, "normalize": True}),
    "https://tfhub.dev/google/nnlm-en-dim50/1": ("text", {"dim": 50, "normalize": False}),
    "https://tfhub.dev/google/universal-sentence-encoder/2": ("text", {"dim": 512, "use": True}),
    "https://tfhub.dev/google/universal-sentence-encoder-large/3": (
        "text", {"dim": 512, "use": True}),
    "https://tfhub.dev/google/elmo/2": ("elmo", {}),
    "https://tfhub.dev/google/elmo/3": ("elmo", {}),
    "https://tfhub.dev/google/imagenet/inception_v3/feature_vector/3": (
        "image", {"size": 299, "features": 2048}),
    "https://tfhub.dev/google/imagenet/inception_v3/feature_vector/1": (
        "image", {"size": 299, "features": 2048}),
    "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/2": (
        "image", {"size": 224, "features": 1280}),
}
# Local module folders some programs name (kind, parameters).
KINDS = {"use": ("text", {"dim": 512, "use": True}), "elmo": ("elmo", {}),
         "nnlm128": ("text", {"dim": 128, "normalize": False})}


def _seed(name: str) -> np.random.Generator:
    return np.random.default_rng(int(hashlib.sha1(name.encode()).hexdigest()[:8], 16))


def _text_module_fn(dim, normalize=False, use=False, seed="text"):
    import tensorflow as tf  # genuine venv: TF 2.15, graph mode inside module_fn
    import tensorflow_hub as hub

    rng = _seed(seed)
    table_init = rng.normal(0, 0.3, (len(VOCAB) + OOV_BUCKETS, dim)).astype(np.float32)
    dense_init = (rng.normal(0, 1, (dim, dim)) / np.sqrt(dim)).astype(np.float32)
    vocab_dir = tempfile.mkdtemp()
    vocab_file = os.path.join(vocab_dir, "tokens.txt")
    with open(vocab_file, "w", encoding="utf-8") as f:
        f.write("\n".join(VOCAB) + "\n")

    def module_fn():
        sentences = tf.compat.v1.placeholder(tf.string, [None], name="sentences")
        text = sentences
        if normalize or use:
            text = tf.strings.lower(tf.strings.regex_replace(text, r"[^\w\s']", " "))
        tokens = tf.compat.v1.string_split(text, " ")
        vocab = tf.compat.v1.constant(vocab_file, name="vocab_file")
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, vocab)
        table = tf.compat.v1.lookup.StaticVocabularyTable(
            tf.compat.v1.lookup.TextFileInitializer(
                vocab, tf.string, tf.compat.v1.lookup.TextFileIndex.WHOLE_LINE,
                tf.int64, tf.compat.v1.lookup.TextFileIndex.LINE_NUMBER),
            OOV_BUCKETS)
        ids = tf.SparseTensor(tokens.indices, table.lookup(tokens.values), tokens.dense_shape)
        embeddings = tf.compat.v1.get_variable(
            "embeddings", initializer=table_init)
        combined = tf.compat.v1.nn.embedding_lookup_sparse(
            embeddings, ids, None, combiner="sqrtn")
        if use:
            kernel = tf.compat.v1.get_variable("dense/kernel", initializer=dense_init)
            out = tf.math.l2_normalize(tf.tanh(tf.matmul(combined, kernel)), axis=1)
        else:
            out = combined
        # trailing sentences without words get zeros rows, as the published modules give
        rows = tf.shape(sentences)[0]
        out = tf.pad(out, [[0, rows - tf.shape(out)[0]], [0, 0]])
        out = tf.reshape(out, [-1, dim])
        hub.add_signature("default", {"default": sentences}, {"default": out})

    return module_fn, vocab_dir


def _elmo_module_fn(seed="elmo"):
    import tensorflow as tf
    import tensorflow_hub as hub

    rng = _seed(seed)
    buckets = 97
    word_init = rng.normal(0, 0.5, (buckets, 512)).astype(np.float32)
    w1_init = (rng.normal(0, 1, (512, 1024)) / np.sqrt(512)).astype(np.float32)
    w2_init = rng.normal(1, 0.3, (1024,)).astype(np.float32)
    b2_init = rng.normal(0, 0.1, (1024,)).astype(np.float32)

    def layers(tokens, sequence_len):
        word_table = tf.compat.v1.get_variable(
            "word_table", initializer=word_init, trainable=False)
        w1 = tf.compat.v1.get_variable("lstm1/kernel", initializer=w1_init, trainable=False)
        w2 = tf.compat.v1.get_variable("lstm2/kernel", initializer=w2_init, trainable=False)
        b2 = tf.compat.v1.get_variable("lstm2/bias", initializer=b2_init, trainable=False)
        weights = tf.compat.v1.get_variable(
            "aggregation/weights", initializer=np.zeros(3, np.float32))
        scaling = tf.compat.v1.get_variable(
            "aggregation/scaling", initializer=np.float32(1.0))
        mask = tf.sequence_mask(sequence_len, tf.shape(tokens)[1], dtype=tf.float32)
        mask3 = tf.expand_dims(mask, -1)
        ids = tf.strings.to_hash_bucket_fast(tokens, buckets)
        word_emb = tf.gather(word_table, ids) * mask3
        # a left-to-right running mean stands in for the LSTMs' context
        count = tf.cumsum(mask3, axis=1) + 1e-6
        context = tf.cumsum(word_emb, axis=1) / count
        lstm1 = tf.tanh(tf.einsum("btd,de->bte", context, w1)) * mask3
        lstm2 = tf.tanh(lstm1 * w2 + b2) * mask3
        mix = tf.nn.softmax(weights)
        elmo = scaling * (mix[0] * tf.concat([word_emb, word_emb], -1)
                          + mix[1] * lstm1 + mix[2] * lstm2)
        default = tf.reduce_sum(elmo, 1) / tf.maximum(
            tf.reduce_sum(mask3, 1), 1.0)
        return {"default": default, "elmo": elmo, "lstm_outputs1": lstm1,
                "lstm_outputs2": lstm2, "word_emb": word_emb,
                "sequence_len": tf.identity(sequence_len)}

    def module_fn():
        with tf.compat.v1.variable_scope("", reuse=tf.compat.v1.AUTO_REUSE):
            text = tf.compat.v1.placeholder(tf.string, [None], name="default")
            split = tf.compat.v1.string_split(text, " ")
            tokens = tf.sparse.to_dense(split, default_value="")
            sequence_len = tf.cast(tf.math.bincount(
                tf.cast(split.indices[:, 0], tf.int32), minlength=tf.shape(text)[0]), tf.int32)
            hub.add_signature("default", {"default": text}, layers(tokens, sequence_len))
            tokens_in = tf.compat.v1.placeholder(tf.string, [None, None], name="tokens")
            len_in = tf.compat.v1.placeholder(tf.int32, [None], name="sequence_len")
            hub.add_signature("tokens", {"tokens": tokens_in, "sequence_len": len_in},
                              layers(tokens_in, len_in))

    return module_fn


def _image_module_fn(size, features, seed="image"):
    import tensorflow as tf
    import tensorflow_hub as hub

    rng = _seed(seed)
    conv_init = rng.normal(0, 0.5, (5, 5, 3, 8)).astype(np.float32)
    dense_init = (rng.normal(0, 1, (8, features)) / np.sqrt(8)).astype(np.float32)

    def module_fn():
        images = tf.compat.v1.placeholder(tf.float32, [None, size, size, 3], name="images")
        kernel = tf.compat.v1.get_variable("conv/kernel", initializer=conv_init)
        dense = tf.compat.v1.get_variable("dense/kernel", initializer=dense_init)
        net = tf.nn.relu(tf.nn.conv2d(images, kernel, [1, 4, 4, 1], "SAME"))
        pooled = tf.reduce_mean(net, [1, 2])
        out = tf.nn.relu(tf.matmul(pooled, dense))
        for name in ("default", "image_feature_vector"):
            hub.add_signature(name, {"images": images}, {"default": out})

    return module_fn


def export(kind, params, path, seed):
    import tensorflow as tf
    import tensorflow_hub as hub

    cleanup = None
    if kind == "text":
        module_fn, cleanup = _text_module_fn(seed=seed, **params)
    elif kind == "elmo":
        module_fn = _elmo_module_fn(seed=seed)
    else:
        module_fn = _image_module_fn(seed=seed, **params)
    spec = hub.create_module_spec(module_fn)
    with tf.Graph().as_default():
        module = hub.Module(spec)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            module.export(path, session)
    if cleanup:
        shutil.rmtree(cleanup)


def cache_key(handle: str) -> str:
    """tensorflow_hub 0.15's cache folder name for a handle (compressed_module_resolver)."""
    return hashlib.sha1(handle.encode("utf8")).hexdigest()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", nargs="?")
    parser.add_argument("handles", nargs="*")
    parser.add_argument("--module-dir", help="export one module of KIND (use, elmo, nnlm128) here")
    parser.add_argument("--kind")
    args = parser.parse_args(argv)
    if args.module_dir:
        kind, params = KINDS[args.kind]
        export(kind, params, args.module_dir, seed=args.kind)
        return
    os.makedirs(args.cache, exist_ok=True)
    for handle in args.handles or sorted(HANDLES):
        kind, params = HANDLES[handle]
        target = os.path.join(args.cache, cache_key(handle))
        if os.path.isdir(target):
            continue
        tmp = target + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        export(kind, params, tmp, seed=handle)
        with open(target + ".descriptor.txt", "w", encoding="utf-8") as f:
            f.write(f"Module: {handle}\nDownload Time: {datetime.datetime.today()}\n"
                    f"Downloader Hostname: {socket.gethostname()} (PID:{os.getpid()})")
        os.rename(tmp, target)
        print("exported", handle, "->", target, file=sys.stderr)


if __name__ == "__main__":
    main()
