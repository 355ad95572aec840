"""The real public programs the harness runs: where each one is, what it needs, what to compare.

Standard library only (the genuine venv imports it too). The code is not in this
repository: ``harness.py`` takes it from git snapshots (``--mirrors``, one folder per
repository named ``owner+name``, as the ``fetch`` tool lays them out) at the commit named.

Fields:
- ``repo``, ``commit``, ``path``: the program (``git show commit:path``);
- ``handles``: the published modules it loads (stand-ins exported into the cache);
- ``local_modules``: module folders it names by a relative path -> stand-in kind;
- ``api``: "tf1" (written against TF1: the genuine run needs ``tf_upgrade_v2`` and
  ``disable_v2_behavior()``) or "tf2" (TF 2.x runs it as written);
- ``genuine_edits``: (old, new) text replacements made after ``tf_upgrade_v2`` for the
  genuine run, the hand edits its report asks for (``tf.contrib`` has no TF 2 name);
- ``args``: command line (``{data}`` is the generated data folder, ``{work}`` a scratch one);
- ``data``: the generator of the small data set it reads (``harness.DATA``);
- ``compare``: what is compared: "session" (the values its ``Session.run`` calls
  returned), "stdout" (numbers printed), "files:<glob>" (numbers in files it writes,
  relative to ``{work}``), "module:<folder>" (a Hub module it exports: files, assets,
  variable values); outputs that depend on unseeded random initialisation are
  left out (said in ``note``).
"""

# tf_upgrade_v2 turns tf.image.resize_bilinear into tf.image.resize(method=BILINEAR), which
# samples at half-pixel centres (other numbers); the TF1 op is tf.compat.v1's.
RESIZE_BILINEAR = [("tf.image.resize(", "tf.compat.v1.image.resize_bilinear("),
                   (", method=tf.image.ResizeMethod.BILINEAR)", ")")]

RETRAIN_ARGS = [
    "--image_dir", "{data}", "--how_many_training_steps", "3",
    "--bottleneck_dir", "{work}/bottlenecks", "--output_graph", "{work}/graph.pb",
    "--output_labels", "{work}/labels.txt", "--summaries_dir", "{work}/summaries",
    "--intermediate_output_graphs_dir", "{work}/intermediate",
    "--saved_model_dir", "{work}/saved_model", "--eval_step_interval", "1",
    "--train_batch_size", "4", "--validation_batch_size", "4",
    "--testing_percentage", "25", "--validation_percentage", "25"]

PROGRAMS = {
    "smurfit_simple_example": {
        "repo": "choran/Smurfit_diss", "commit": "24a4701098aa3bc5021060c1a174be5f22e7d498",
        "path": "simple_example.py",
        "handles": ["https://tfhub.dev/google/universal-sentence-encoder-large/3"],
        "api": "tf1", "compare": ["session", "stdout"],
    },
    "tfhub_elmo_tokens": {
        "repo": "tracy-talent/tensorflow-tutorials",
        "commit": "7802ade2670c4e30da7ba59ab97fece9a3ef9cd0", "path": "src/tfhub.py",
        "handles": ["https://tfhub.dev/google/elmo/3"],
        "api": "tf1", "compare": ["session", "stdout"],
    },
    "emotion_elmo1": {
        "repo": "hoangngth/NLP-EmotionDetection",
        "commit": "48176f24ffa9c20250e8292e2c5cde532a81fd84", "path": "Implementation/elmo1.py",
        "handles": ["https://tfhub.dev/google/elmo/2"],
        "api": "tf1", "compare": ["stdout"],
        "note": "builds the graph only (prints progress, computes nothing)",
    },
    "dle_word_embedding": {
        "repo": "roatienza/Deep-Learning-Experiments",
        "commit": "11e8aef5517748b008bff9f60886b4455dbf23e0",
        "path": "versions/2020/keras/embedding/word.py",
        "handles": ["https://tfhub.dev/google/nnlm-en-dim128-with-normalization/1"],
        "api": "tf1", "compare": ["session", "stdout"],
    },
    "claimbuster_elmo_default": {
        "repo": "utaresearch/claimbuster-spotter",
        "commit": "829138b509cba464a7d5445ba503fda07eeb3f02", "path": "experiments/test_elmo.py",
        "handles": ["https://tfhub.dev/google/elmo/2"],
        "api": "tf1", "compare": ["stdout"],
        "note": "prints the dict of output tensors (names, shapes, dtypes)",
    },
    "claimbuster_elmo_tokens": {
        "repo": "utaresearch/claimbuster-spotter",
        "commit": "83adab05c3855c15b55fb586a6a0cbce123a66c3", "path": "experiments/test_elmo.py",
        "handles": ["https://tfhub.dev/google/elmo/2"],
        "api": "tf1", "compare": ["stdout"],
        "note": "prints the output tensor (name, shape, dtype)",
    },
    "cnn_demo_elmo": {
        "repo": "YHYen/CNN_Traditional_Demo", "commit": "ad3c2683f8dc25ffa1c18931899c28a856c7076c",
        "path": "main.py", "handles": ["https://tfhub.dev/google/elmo/2"],
        "api": "tf1", "compare": ["stdout"],
        "note": "builds the graph only",
    },
    "yelp_content_based": {
        "repo": "AmoghM/Yelp-Restaurants-RecSys",
        "commit": "68663182fb04189a251710d2a65819178e3c672b", "path": "src/content_based_rec.py",
        "handles": [], "local_modules": {"model/content-512-dim": "use"},
        "api": "tf1", "compare": ["session", "stdout"],
    },
    "packt_elmo": {
        "repo": "PacktPublishing/Deep-Learning-with-TensorFlow-2-and-Keras",
        "commit": "e23d2b4a4292386b70977473805acb2f93ef16ca", "path": "Chapter 7/elmo_from_tfhub.py",
        "handles": ["https://tfhub.dev/google/elmo/2"],
        "api": "tf2", "compare": ["stdout"],
    },
    "packt_use": {
        "repo": "PacktPublishing/Deep-Learning-with-TensorFlow-2-and-Keras",
        "commit": "e23d2b4a4292386b70977473805acb2f93ef16ca",
        "path": "Chapter 7/google_sent_enc_from_tfhub.py",
        "handles": ["https://tfhub.dev/google/universal-sentence-encoder/2"],
        "api": "tf2", "compare": ["session", "stdout"],
    },
    "hub_text_embeddings_export": {
        "repo": "tensorflow/hub", "commit": "26c94f67716f457efaa70c63b4d1b561a08be9f1",
        "path": "examples/text_embeddings/export.py", "handles": [],
        "api": "tf1", "data": "text_embeddings",
        "args": ["--embedding_file", "{data}/embeddings.txt", "--export_path", "{work}/module",
                 "--num_oov_buckets", "2"],
        "compare": ["session", "module:module"],
        "note": "writes a TF1 Hub module from a text embedding file (hub.create_module_spec, "
                "hub.Module.export)",
    },
    "hub_retrain": {
        # the TF1-era version (Oct 2019): tf.contrib.quantize only inside the quantized path
        "repo": "tensorflow/hub", "commit": "50bbebaa248cff13e82ddf0268ed1b149ef478f2",
        "path": "examples/image_retraining/retrain.py",
        "handles": ["https://tfhub.dev/google/imagenet/inception_v3/feature_vector/3"],
        "api": "tf1", "data": "flower_photos", "genuine_edits": RESIZE_BILINEAR,
        "args": RETRAIN_ARGS,
        "compare": ["files:bottlenecks/*/*.txt", "files:labels.txt"],
        "note": "the new layer starts from unseeded random weights: accuracies and the "
                "saved graph are not compared, the bottleneck files and labels are",
    },
    "hub_retrain_2024": {
        # the last version (deprecated in favour of make_image_classifier): a top-level
        # `from tensorflow.contrib import quantize`, which no TF 2 has
        "repo": "tensorflow/hub", "commit": "26c94f67716f457efaa70c63b4d1b561a08be9f1",
        "path": "examples/image_retraining/retrain.py",
        "handles": ["https://tfhub.dev/google/imagenet/inception_v3/feature_vector/3"],
        "api": "tf1", "data": "flower_photos",
        "genuine_edits": [("from tensorflow.contrib import quantize as contrib_quantize", ""),
                          *RESIZE_BILINEAR],
        "args": RETRAIN_ARGS,
        "compare": ["files:bottlenecks/*/*.txt", "files:labels.txt"],
        "note": "as hub_retrain",
    },
}


# Programs written here in the real programs' patterns (ours/), for CI, which cannot fetch:
# tests/real_programs/test_our_programs.py runs them the same way (heavy).
OURS = {
    "session_placeholders": {
        "source": "ours/session_placeholders.py",
        "handles": ["https://tfhub.dev/google/universal-sentence-encoder/2"],
        "api": "tf1", "compare": ["session", "stdout"],
    },
    "text_column_linear": {
        "source": "ours/text_column_linear.py",
        # tf_upgrade_v2 inserts Keras's Reduction into the compat.v1 Estimator, which rejects it
        "genuine_edits": [("loss_reduction=tf.keras.losses.Reduction.SUM",
                           "loss_reduction=tf.compat.v1.losses.Reduction.SUM")],
        "handles": ["https://tfhub.dev/google/nnlm-en-dim128/1"],
        "api": "tf1", "compare": ["stdout"], "needs": "estimator",
        "note": "tf.estimator is gone from TF 2.16 on: runs where TF <= 2.15",
    },
    "keras_lambda_elmo": {
        "source": "ours/keras_lambda_elmo.py",
        "handles": ["https://tfhub.dev/google/elmo/2"],
        "api": "tf1", "compare": ["session", "stdout"],
    },
    "slim_image": {
        "source": "ours/slim_image.py",
        "genuine_edits": [("slim = tf.contrib.slim", "import tf_slim as slim")],
        "handles": ["https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/2"],
        "api": "tf1", "compare": ["session", "stdout"],
    },
    "retrain_style": {
        "source": "ours/retrain_style.py",
        "genuine_edits": RESIZE_BILINEAR,
        "handles": ["https://tfhub.dev/google/imagenet/inception_v3/feature_vector/1"],
        "api": "tf1", "compare": ["session", "stdout"],
        "args": ["--summaries_dir", "{work}/summaries"],
    },
}
