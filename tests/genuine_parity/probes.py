"""Small programs that pin down what genuine tensorflow_hub does, one behaviour each.

Each probe is a function ``probe(ctx)`` run with ``ctx.hub`` being genuine
``tensorflow_hub`` (0.15.0 on TF 2.15, by ``record.py``) or ``hubcompat``
(by the tests). It returns a JSON-able value, or raises; ``ctx.stage(name)``
marks how far it got, so the tests can check *when* an error is raised
(construction or first call) as well as its type and key phrase.

``record.py --write`` stores genuine's outcomes in ``genuine.json`` (committed);
``tests/test_genuine_parity.py`` and ``tests/keras_layer/test_genuine_parity.py``
compare hubcompat's outcomes with them. Known, documented differences are
listed in ``DIFFERENCES`` with the docs page that explains them.

This file must run on TF 2.15 / Python 3.10+ with either library: no hubcompat
imports, no Keras 3-only APIs.
"""

from __future__ import annotations

import os

import numpy as np

PROBES: dict = {}


def probe(*, keras=False, phrase=None):
    """Registers a probe; ``phrase``: a regex genuine's error matches and ours must too."""

    def register(fn):
        PROBES[fn.__name__] = {"fn": fn, "keras": keras, "phrase": phrase}
        return fn

    return register


def _fixture(ctx, name):
    return os.path.join(ctx.fixtures, name)


def _mul_model(ctx, tf, name="mul", with_variable=True, dict_output=False):
    """A TF2 SavedModel: ``__call__(x) = x * v`` (``v`` trainable, or a constant)."""
    path = os.path.join(ctx.tmp, name)
    module = tf.Module()
    if with_variable:
        module.v = tf.Variable(2.0)
    factor = (lambda: module.v) if with_variable else (lambda: tf.constant(2.0))

    @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
    def call(x):
        y = x * factor()
        return {"y": y, "z": y + 1.0} if dict_output else y

    module.__call__ = call
    tf.saved_model.save(module, path, signatures={"serving_default": call})
    return path


# --- hub.load / hub.resolve --------------------------------------------------------------


@probe(phrase=r"Expected a string, got 0")
def load_non_string(ctx):
    ctx.hub.load(0)


@probe(phrase=r"contains neither 'saved_model\.pb' nor 'saved_model\.pbtxt'")
def load_folder_without_saved_model(ctx):
    os.makedirs(os.path.join(ctx.tmp, "empty"))
    ctx.hub.load(os.path.join(ctx.tmp, "empty"))


@probe(phrase=r"does not exist")
def load_missing_folder(ctx):
    ctx.hub.load(os.path.join(ctx.tmp, "missing"))


@probe()
def cache_dir_as_file_url(ctx):
    """``TFHUB_CACHE_DIR=file:///...`` names that folder: an archive lands in it."""
    import tarfile

    tf = ctx.tf
    model = _mul_model(ctx, tf)
    archive = os.path.join(ctx.tmp, "mul.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        for entry in sorted(os.listdir(model)):
            tar.add(os.path.join(model, entry), arcname=entry)
    cache = os.path.join(ctx.tmp, "the cache")
    os.environ["TFHUB_CACHE_DIR"] = "file://" + cache
    os.environ.pop("HUBCOMPAT_CACHE_DIR", None)
    try:
        with ctx.http_server(ctx.tmp) as base:
            folder = ctx.hub.resolve(base + "/mul.tar.gz")
    finally:
        del os.environ["TFHUB_CACHE_DIR"]
    entries = sorted(os.listdir(cache)) if os.path.isdir(cache) else []
    return {"module_in_cache": any(tf.io.gfile.exists(os.path.join(cache, e, "saved_model.pb"))
                                   for e in entries),
            "resolved_readable": tf.io.gfile.exists(folder + "/saved_model.pb"),
            "nothing_under_cwd": not os.path.exists(os.path.join(os.getcwd(), "file:"))}


def _mul_archive(ctx):
    import tarfile

    model = _mul_model(ctx, ctx.tf)
    os.makedirs(os.path.join(ctx.tmp, "served"))
    archive = os.path.join(ctx.tmp, "served", "mul.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        for entry in sorted(os.listdir(model)):
            tar.add(os.path.join(model, entry), arcname=entry)
    return os.path.dirname(archive)


@probe()
def cache_layout_after_two_downloads(ctx):
    """What a cache holds once two handles are downloaded (e2e_test's test_http_locations)."""
    import hashlib

    served = _mul_archive(ctx)
    cache = os.path.join(ctx.tmp, "cache")
    os.environ["TFHUB_CACHE_DIR"] = cache
    os.environ.pop("HUBCOMPAT_CACHE_DIR", None)
    try:
        with ctx.http_server(served) as base:
            handles = [base + "/mul.tar.gz", base + "/mul.tar.gz?version=2"]
            for handle in handles:
                ctx.hub.resolve(handle)
    finally:
        del os.environ["TFHUB_CACHE_DIR"]
    names = sorted(os.listdir(cache))
    for i, handle in enumerate(handles):
        names = [n.replace(hashlib.sha1(handle.encode("utf8")).hexdigest(), f"<handle {i}>")
                 for n in names]
    return sorted(names)


def _with_load_format(ctx, value, served, path):
    os.environ["TFHUB_MODEL_LOAD_FORMAT"] = value
    os.environ["TFHUB_CACHE_DIR"] = os.path.join(ctx.tmp, "cache")
    try:
        with ctx.http_server(served) as base:
            return ctx.hub.resolve(base + path)
    finally:
        del os.environ["TFHUB_MODEL_LOAD_FORMAT"], os.environ["TFHUB_CACHE_DIR"]


@probe(phrase=r"^Expected 303 See other HTTP response but received code 200")
def uncompressed_load_format_needs_a_303(ctx):
    _with_load_format(ctx, "UNCOMPRESSED", _mul_archive(ctx), "/mul.tar.gz")


@probe(phrase=r"^Expected server to return a GCS location but received https://example\.com/m")
def uncompressed_load_format_needs_a_gcs_location(ctx):
    os.environ["TFHUB_MODEL_LOAD_FORMAT"] = "UNCOMPRESSED"
    try:
        with ctx.see_other_server(b"https://example.com/m") as base:
            ctx.hub.resolve(base + "/google/m/1")
    finally:
        del os.environ["TFHUB_MODEL_LOAD_FORMAT"]


@probe()
def compressed_and_auto_load_formats_download(ctx):
    served = _mul_archive(ctx)
    return [os.path.exists(os.path.join(_with_load_format(ctx, value, served, "/mul.tar.gz"),
                                        "saved_model.pb")) for value in ("COMPRESSED", "AUTO")]


@probe()
def load_inside_tf_function(ctx):
    tf = ctx.tf
    traces = []

    @tf.function
    def call(x):
        traces.append(1)
        module = ctx.hub.load(_fixture(ctx, "mlp_bn"))
        return module.signatures["default"](x=x)["default"]

    x = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(3, 4)
    first = call(tf.constant(x)).numpy()
    second = call(tf.constant(x[:2])).numpy()
    return {"traces": len(traces), "out": np.round(first, 5).tolist(),
            "same": bool(np.allclose(first[:2], second, atol=1e-6))}


@probe()
def module_in_tpu_wrap_function(ctx):
    """tensorflow_hub's testTPUModuleWithWrapFunc: state in the outer graph."""
    tf = ctx.tf
    from tensorflow.python.ops.control_flow_ops import ControlFlowContext

    class TPUReplicateContext(ControlFlowContext):
        def __init__(self):
            super().__init__()
            self._name = "TPUReplicateContext"

        def AddOp(self, _):
            pass

        def AddValue(self, x):
            return x

        def to_control_flow_context_def(self, context_def, export_scope=None):
            super().to_control_flow_context_def(context_def, export_scope)

    def module_fn():
        x = tf.compat.v1.placeholder(dtype=tf.float32, name="x")
        y = tf.compat.v1.placeholder(dtype=tf.float32, name="y")
        r = tf.compat.v1.get_variable("rv_var123", shape=[], use_resource=True,
                                      initializer=tf.compat.v1.constant_initializer(10.0))
        t = tf.compat.v1.get_variable("rv_var456", shape=[], use_resource=True,
                                      initializer=tf.compat.v1.constant_initializer(10.0))
        t.assign(y)
        ctx.hub.add_signature(inputs={"x": x}, outputs=x + r)

    spec = ctx.hub.create_module_spec(module_fn)

    def computation(first, second):
        TPUReplicateContext().Enter()
        module = ctx.hub.Module(spec, trainable=True)
        return [module(first), module(second)]

    with tf.compat.v1.Graph().as_default() as graph, tf.compat.v1.Session() as session:
        wrapped = tf.compat.v1.wrap_function(
            computation, [tf.TensorSpec((), tf.float32), tf.TensorSpec((), tf.float32)])
        session.run(tf.compat.v1.global_variables_initializer())
        return {"out": [float(v) for v in session.run(wrapped(9.0, 6.0))],
                "outer_variables": sorted(v.op.name for v in graph.get_collection(
                    tf.compat.v1.GraphKeys.GLOBAL_VARIABLES))}


@probe()
def load_tf2_is_hub_module_v1(ctx):
    obj = ctx.hub.load(_mul_model(ctx, ctx.tf))
    return getattr(obj, "_is_hub_module_v1", "missing")


# --- KerasLayer --------------------------------------------------------------------------


@probe(keras=True)
def keras_trainable_without_trainable_variables(ctx):
    tf = ctx.tf
    layer = ctx.hub.KerasLayer(_mul_model(ctx, tf, with_variable=False), trainable=True)
    ctx.stage("constructed")
    out = layer(tf.constant([1.0, 3.0]))
    return {"out": np.asarray(out).tolist(), "trainable_weights": len(layer.trainable_weights),
            "logged": any("zero trainable weights" in m for m in ctx.logs())}


@probe(keras=True, phrase=r"does not contain the output key nope")
def keras_unknown_output_key_tf1(ctx):
    layer = ctx.hub.KerasLayer(_fixture(ctx, "mlp_bn"), output_key="nope")
    ctx.stage("constructed")
    layer(np.ones([2, 4], np.float32))


@probe(keras=True, phrase=r"does not contain the output key nope")
def keras_unknown_output_key_signature(ctx):
    layer = ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf), signature="serving_default",
                               output_key="nope")
    ctx.stage("constructed")
    layer(ctx.tf.constant([1.0]))


@probe(keras=True, phrase=r"does not contain the output key nope")
def keras_unknown_output_key_call(ctx):
    layer = ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf, dict_output=True), output_key="nope")
    ctx.stage("constructed")
    layer(ctx.tf.constant([1.0]))


@probe(keras=True, phrase=r"Specifying `output_key` is forbidden if output type")
def keras_output_key_on_non_dict(ctx):
    layer = ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf), output_key="y")
    ctx.stage("constructed")
    layer(ctx.tf.constant([1.0]))


@probe(keras=True, phrase=r"unsupported when calling a SavedModel signature")
def keras_trainable_signature(ctx):
    layer = ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf), signature="serving_default",
                               output_key="output_0", trainable=True)
    ctx.stage("constructed")
    layer(ctx.tf.constant([1.0]))


@probe(keras=True, phrase=r"unsupported when loading from the TF1 Hub format")
def keras_trainable_tf1_module(ctx):
    layer = ctx.hub.KerasLayer(_fixture(ctx, "mlp_bn"), trainable=True)
    ctx.stage("constructed")
    return np.asarray(layer(np.ones([2, 4], np.float32))).shape


@probe(keras=True, phrase=r"Unknown signature nope")
def keras_unknown_signature(ctx):
    ctx.hub.KerasLayer(_fixture(ctx, "mlp_bn"), signature="nope", output_key="default")


@probe(keras=True, phrase=r"Unknown signature nope")
def keras_unknown_signature_tf2(ctx):
    ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf), signature="nope", output_key="default")


# Users match these two with assertRaisesRegex: the message starts with the sentence.
_NO_OUTPUT_CHOICE = r"^When using a signature, either output_key or signature_outputs_as_dict=True should be set\."


@probe(keras=True, phrase=_NO_OUTPUT_CHOICE)
def keras_signature_without_output_choice(ctx):
    ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf), signature="serving_default")


@probe(keras=True, phrase=_NO_OUTPUT_CHOICE)
def keras_signature_with_both_output_choices(ctx):
    ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf, dict_output=True), signature="serving_default",
                       output_key="y", signature_outputs_as_dict=True)


@probe(keras=True, phrase=r"^signature_outputs_as_dict is only valid if specifying a signature "
                          r"\(or using a legacy TF1 Hub format\)\.")
def keras_as_dict_without_signature(ctx):
    ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf), signature_outputs_as_dict=True)


@probe(keras=True, phrase=r"mutually exclusive with setting tags")
def keras_callable_handle_with_tags(ctx):
    obj = ctx.tf.saved_model.load(_mul_model(ctx, ctx.tf))
    ctx.hub.KerasLayer(obj, tags=["serve"])


@probe(keras=True, phrase=r"mutually exclusive with setting load_options")
def keras_callable_handle_with_load_options(ctx):
    obj = ctx.tf.saved_model.load(_mul_model(ctx, ctx.tf))
    ctx.hub.KerasLayer(obj, load_options=ctx.tf.saved_model.LoadOptions())


@probe(keras=True, phrase=r"Can only generate a valid config for `hub\.KerasLayer\(handle, \.\.\.\)`")
def keras_config_of_object_handle(ctx):
    layer = ctx.hub.KerasLayer(ctx.tf.saved_model.load(_mul_model(ctx, ctx.tf)))
    ctx.stage("constructed")
    layer.get_config()


@probe(keras=True)
def keras_python_scalar_and_list_inputs(ctx):
    layer = ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf))
    return {"scalar": np.asarray(layer(3.0)).tolist(),
            "list": np.asarray(layer([1.0, 2.0])).tolist(),
            "nested": np.asarray(layer([[1.0], [2.0]])).tolist()}


@probe(keras=True)
def keras_compute_output_shape(ctx):
    layer = ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf), output_shape=[3])
    return {"batch_none": list(ctx.tf.TensorShape(layer.compute_output_shape((None, 3)))),
            "batch_5": list(ctx.tf.TensorShape(layer.compute_output_shape([5, 3])))}


@probe(keras=True)
def keras_compute_output_shape_nested(ctx):
    layer = ctx.hub.KerasLayer(_mul_model(ctx, ctx.tf, dict_output=True),
                               output_shape={"y": [3], "z": [3]})
    shapes = layer.compute_output_shape((None, 3))
    return {key: list(ctx.tf.TensorShape(value)) for key, value in sorted(shapes.items())}


@probe(keras=True)
def keras_get_config(ctx):
    path = _mul_model(ctx, ctx.tf)
    layer = ctx.hub.KerasLayer(path, trainable=True, arguments={"a": 1}, output_shape=[3],
                               name="hub_layer")
    config = layer.get_config()
    return {key: (value if key != "handle" else value == path) for key, value in
            sorted(config.items()) if key in ("handle", "arguments", "output_shape",
                                              "trainable", "name")}


# --- hub.Module and friends (graph mode) -----------------------------------------------


def _ragged_spec(hub, tf):
    def module_fn():
        x = tf.compat.v1.ragged.placeholder(tf.float32, 1, [])
        v = tf.compat.v1.get_variable("v", [], initializer=tf.compat.v1.constant_initializer(2.0))
        y = x * v
        hub.add_signature(inputs=x, outputs={"default": y, "sum": tf.reduce_sum(y, axis=1)})
        lengths = tf.compat.v1.placeholder(tf.int64, [None])
        values = tf.compat.v1.placeholder(tf.string, [None])
        hub.add_signature("from_parts", inputs={"lengths": lengths, "values": values},
                          outputs=tf.RaggedTensor.from_row_lengths(values, lengths))

    return hub.create_module_spec(module_fn)


def _describe_info(info):
    return {"dtype": info.dtype.name, "shape": str(info.get_shape()),
            "is_sparse": info.is_sparse, "repr": repr(info)}


def _as_lists(value):
    if hasattr(value, "to_list"):
        return value.to_list()
    if hasattr(value, "flat_values"):  # a RaggedTensorValue
        return value.to_list()
    return np.asarray(value).tolist()


@probe()
def ragged_signature_info(ctx):
    spec = _ragged_spec(ctx.hub, ctx.tf)
    return {kind: {key: _describe_info(info) for key, info in sorted(infos.items())}
            for kind, infos in (("inputs", spec.get_input_info_dict()),
                                ("outputs", spec.get_output_info_dict()),
                                ("parts_out", spec.get_output_info_dict("from_parts")))}


@probe()
def ragged_module_graph_mode(ctx):
    tf = ctx.tf
    spec = _ragged_spec(ctx.hub, tf)
    with tf.Graph().as_default():
        module = ctx.hub.Module(spec)
        out = module(tf.ragged.constant([[1.0, 2.0], [3.0]]), as_dict=True)
        parts = module({"lengths": [2, 0, 1], "values": ["a", "b", "c"]}, signature="from_parts")
        kinds = {key: "RaggedTensor" if isinstance(value, tf.RaggedTensor) else "Tensor"
                 for key, value in sorted(out.items())}
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            values, parts_value = session.run([out, parts])
            path = os.path.join(ctx.tmp, "ragged_module")
            module.export(path, session)
    with tf.Graph().as_default():  # the export reads back
        module = ctx.hub.Module(path)
        again = module(tf.ragged.constant([[4.0], [5.0, 6.0]]))
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            again_value = session.run(again)
    return {"kinds": kinds, "default": _as_lists(values["default"]),
            "sum": _as_lists(values["sum"]), "from_parts": _as_lists(parts_value),
            "exported": _as_lists(again_value)}


@probe()
def ragged_module_load(ctx):
    """``hub.load`` of a TF1 module with ragged signatures: components as keyword inputs."""
    tf = ctx.tf
    spec = _ragged_spec(ctx.hub, tf)
    path = os.path.join(ctx.tmp, "ragged_module")
    spec.export(path, checkpoint_path=_checkpoint_for(ctx, spec))
    obj = ctx.hub.load(path)
    function = obj.signatures["default"]
    kwargs = sorted(function.structured_input_signature[1])
    rt = tf.ragged.constant([[1.0, 2.0], [3.0]])
    out = function(default_component_0=rt.flat_values, default_component_1=rt.row_splits)
    return {"kwargs": kwargs, "default": _as_lists(out["default"]),
            "sum": _as_lists(out["sum"]), "kinds": sorted(type(v).__name__ for v in out.values())}


def _checkpoint_for(ctx, spec):
    tf = ctx.tf
    with tf.Graph().as_default():
        module = ctx.hub.Module(spec)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver = tf.compat.v1.train.Saver(module.variable_map)
            return saver.save(session, os.path.join(ctx.tmp, "ckpt", "model"))


@probe(keras=True)
def ragged_keras_layer(ctx):
    tf = ctx.tf
    spec = _ragged_spec(ctx.hub, tf)
    path = os.path.join(ctx.tmp, "ragged_module")
    spec.export(path, checkpoint_path=_checkpoint_for(ctx, spec))
    layer = ctx.hub.KerasLayer(path, output_key="sum")
    return _as_lists(layer(tf.ragged.constant([[1.0, 2.0], [3.0]])))


@probe(phrase=r"Expected a RaggedTensor|RaggedTensor")
def ragged_module_dense_input(ctx):
    tf = ctx.tf
    spec = _ragged_spec(ctx.hub, tf)
    with tf.Graph().as_default():
        module = ctx.hub.Module(spec)
        ctx.stage("constructed")
        module(tf.constant([[1.0, 2.0]]))


@probe()
def module_in_wrap_function(ctx):
    tf = ctx.tf
    ops = {}

    def build():
        module = ctx.hub.Module(_fixture(ctx, "mlp_bn"))
        y = module(tf.ones([2, 4]))
        ops["init"] = tf.compat.v1.global_variables_initializer()
        ops["names"] = sorted(v.op.name for v in tf.compat.v1.global_variables())
        return y

    wrapped = tf.compat.v1.wrap_function(build, [])
    wrapped.prune([], ops["init"])()
    return {"variables": ops["names"], "out": np.round(wrapped().numpy(), 5).tolist()}


@probe(phrase=r"Missing mandatory `checkpoint_path` parameter")
def spec_export_without_checkpoint(ctx):
    spec = ctx.hub.load_module_spec(_fixture(ctx, "mlp_bn"))
    spec.export(os.path.join(ctx.tmp, "out"))


@probe()
def create_module_spec_from_saved_model(ctx):
    tf = ctx.tf
    path = os.path.join(ctx.tmp, "tf1_saved_model")
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        w = tf.compat.v1.get_variable("w", initializer=tf.constant([[1.0], [2.0]]))
        y = tf.matmul(x, w)
        tf.compat.v1.train.get_or_create_global_step()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.Builder(path)
            signature = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"y": y})
            builder.add_meta_graph_and_variables(
                session, [tf.compat.v1.saved_model.tag_constants.SERVING],
                signature_def_map={"default": signature},
                main_op=tf.compat.v1.tables_initializer())
            builder.save()
    spec = ctx.hub.create_module_spec_from_saved_model(path)
    tags = [sorted(t) for t in spec.get_tags()]
    with tf.Graph().as_default():
        module = ctx.hub.Module(spec, tags={"serve"})
        out = module({"x": [[1.0, 1.0]]}, as_dict=True)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            value = session.run(out["y"])
    return {"tags": tags, "y": value.tolist(),
            "inputs": sorted(spec.get_input_info_dict(tags={"serve"}))}


@probe(phrase=r"[Uu]nsupported collections in graph")
def create_module_spec_from_saved_model_unsupported(ctx):
    tf = ctx.tf
    path = os.path.join(ctx.tmp, "tf1_saved_model")
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        tf.compat.v1.add_to_collection("my_collection", x)
        with tf.compat.v1.Session() as session:
            builder = tf.compat.v1.saved_model.Builder(path)
            builder.add_meta_graph_and_variables(
                session, ["serve"], signature_def_map={
                    "default": tf.compat.v1.saved_model.predict_signature_def({"x": x},
                                                                              {"y": x * 2})})
            builder.save()
    spec = ctx.hub.create_module_spec_from_saved_model(path)
    ctx.stage("spec")
    with tf.Graph().as_default():
        ctx.hub.Module(spec, tags={"serve"})


# --- arguments and errors of the TF1 API --------------------------------------------------


def _apply_in_a_graph(ctx, fixture, inputs, **kwargs):
    """``hub.Module(fixture)`` in a new graph (stage "constructed"), then applied to ``inputs``."""
    with ctx.tf.Graph().as_default():
        module = ctx.hub.Module(_fixture(ctx, fixture))
        ctx.stage("constructed")
        return module(inputs, **kwargs)


@probe(phrase=r"No such graph variant: tags=\['nope'\]")
def module_unknown_tags(ctx):
    with ctx.tf.Graph().as_default():
        ctx.hub.Module(_fixture(ctx, "mlp_bn"), tags={"nope"})


@probe(phrase=r"Signature 'nope' is missing from meta graph")
def module_unknown_signature(ctx):
    _apply_in_a_graph(ctx, "mlp_bn", np.ones([1, 4], np.float32), signature="nope")


@probe(phrase=r"missing \['x'\], extra given \['y'\]")
def module_wrong_input_key(ctx):
    _apply_in_a_graph(ctx, "mlp_bn", {"y": np.ones([1, 4], np.float32)})


@probe(phrase=r"Can't convert 'x': Expected float32")
def module_wrong_input_dtype(ctx):
    _apply_in_a_graph(ctx, "mlp_bn", {"x": ["a", "b"]})


@probe(phrase=r"Can't convert 'x': Got TensorSpec\(shape=\(1, 5\)")
def module_wrong_input_shape(ctx):
    _apply_in_a_graph(ctx, "mlp_bn", {"x": np.ones([1, 5], np.float32)})


@probe(phrase=r"Signature expects multiple inputs\. Use a dict\.")
def module_positional_input_for_many(ctx):
    _apply_in_a_graph(ctx, "multi_input", np.ones([1, 3], np.float32))


@probe(phrase=r"No attached message for key 'nope'")
def module_required_attachment_missing(ctx):
    from tensorflow.core.framework import tensor_shape_pb2

    with ctx.tf.Graph().as_default():
        module = ctx.hub.Module(_fixture(ctx, "mlp_bn"))
        ctx.stage("constructed")
        module.get_attached_message("nope", tensor_shape_pb2.TensorShapeProto, required=True)


@probe()
def module_optional_attachment_missing(ctx):
    from tensorflow.core.framework import tensor_shape_pb2

    spec = ctx.hub.load_module_spec(_fixture(ctx, "mlp_bn"))
    return repr(spec.get_attached_message("nope", tensor_shape_pb2.TensorShapeProto))


@probe()
def module_spec_introspection(ctx):
    spec = ctx.hub.load_module_spec(_fixture(ctx, "mlp_bn"))
    return {"tags": [sorted(t) for t in spec.get_tags()],
            "signatures": sorted(spec.get_signature_names()),
            "train_signatures": sorted(spec.get_signature_names(tags={"train"})),
            "inputs": {k: repr(v) for k, v in sorted(spec.get_input_info_dict().items())},
            "outputs": {k: repr(v) for k, v in sorted(spec.get_output_info_dict().items())}}


@probe()
def module_dict_orders(ctx):
    """The order of every mapping a module gives (a BigGAN colab prints one): genuine's
    is the same in every process."""
    tf = ctx.tf

    def biggan_like():
        inputs = {name: tf.compat.v1.placeholder(tf.float32, [None, 3], name=name)
                  for name in ("z", "y", "truncation")}
        ctx.hub.add_signature(inputs=inputs, outputs={
            "default": inputs["z"] * inputs["truncation"], "logits": inputs["y"] + 1.0})

    path = os.path.join(ctx.tmp, "biggan_like")
    with tf.Graph().as_default():
        module = ctx.hub.Module(ctx.hub.create_module_spec(biggan_like))
        with tf.compat.v1.Session() as session:
            module.export(path, session)
    out = {}
    for name in ("biggan_like", "mlp_bn", "multi_input", "text_embed", "bert_like"):
        spec = ctx.hub.load_module_spec(path if name == "biggan_like" else _fixture(ctx, name))
        for tags in spec.get_tags():
            for signature in spec.get_signature_names(tags=tags):
                out[f"{name} {sorted(tags)} {signature}"] = [
                    list(spec.get_input_info_dict(signature, tags)),
                    list(spec.get_output_info_dict(signature, tags))]
            out[f"{name} {sorted(tags)}"] = spec.get_signature_names(tags=tags)
    with tf.Graph().as_default():
        module = ctx.hub.Module(_fixture(ctx, "mlp_bn"))
        out["mlp_bn as_dict"] = list(module(tf.zeros([1, 4]), as_dict=True))
    return out


@probe(phrase=r"Module is missing input 'images' in signature 'default'")
def image_size_of_a_text_module(ctx):
    spec = ctx.hub.load_module_spec(_fixture(ctx, "text_embed"))
    ctx.hub.get_expected_image_size(spec)


@probe()
def image_size_and_channels(ctx):
    spec = ctx.hub.load_module_spec(_fixture(ctx, "image_classifier"))
    return {"size": list(ctx.hub.get_expected_image_size(spec)),
            "channels": ctx.hub.get_num_image_channels(spec)}


@probe(phrase=r"Module is not a text-embedding")
def text_embedding_column_of_an_image_module(ctx):
    ctx.hub.text_embedding_column("x", _fixture(ctx, "image_classifier"))


@probe(phrase=r"Module is not usable as image embedding")
def image_embedding_column_of_a_text_module(ctx):
    ctx.hub.image_embedding_column("x", _fixture(ctx, "text_embed"))


@probe(phrase=r"There is no output named 'default'\. Use as_dict=True\.")
def module_without_default_output(ctx):
    with ctx.tf.Graph().as_default():
        module = ctx.hub.Module(_fixture(ctx, "bert_like"))
        ctx.stage("constructed")
        info = module.get_input_info_dict("tokens")
        inputs = {k: ctx.tf.compat.v1.placeholder(v.dtype, v.get_shape()) for k, v in info.items()}
        module(inputs, signature="tokens")


@probe()
def resolve_local_folder(ctx):
    path = _fixture(ctx, "mlp_bn")
    return {"absolute_unchanged": ctx.hub.resolve(path) == path}


@probe(phrase=r"Module must be applied in the graph it was instantiated for")
def module_applied_in_another_graph(ctx):
    tf = ctx.tf
    with tf.Graph().as_default():
        module = ctx.hub.Module(_fixture(ctx, "mlp_bn"))
    ctx.stage("constructed")
    with tf.Graph().as_default():
        module(np.ones([1, 4], np.float32))


@probe()
def load_tf1_module_signatures(ctx):
    obj = ctx.hub.load(_fixture(ctx, "sparse_input"))
    function = obj.signatures["default"]
    plain = ctx.hub.load(_fixture(ctx, "tf1_saved_model_plain"), tags=["serve"])
    return {"signatures": sorted(obj.signatures),
            "kwargs": sorted(function.structured_input_signature[1]),
            "outputs": sorted(function.structured_outputs),
            "is_hub_module_v1": [obj._is_hub_module_v1, plain._is_hub_module_v1]}


# --- KerasLayer: training mode, losses, shapes ------------------------------------------


@probe(keras=True)
def keras_compute_output_shape_without_output_shape(ctx):
    layer = ctx.hub.KerasLayer(_fixture(ctx, "tf2_bn_training"))
    return list(ctx.tf.TensorShape(layer.compute_output_shape((None, 3))))


@probe(keras=True)
def keras_training_mode_needs_trainable(ctx):
    """``training=True`` reaches the model only when the layer is trainable (as BatchNormalization)."""
    x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 0.0]], np.float32)
    frozen = ctx.hub.KerasLayer(_fixture(ctx, "tf2_bn_training"))
    trainable = ctx.hub.KerasLayer(_fixture(ctx, "tf2_bn_training"), trainable=True)
    inference = np.asarray(frozen(x, training=False))
    return {"frozen_training_is_inference": bool(np.allclose(frozen(x, training=True), inference)),
            "trainable_training_differs": not np.allclose(trainable(x, training=True), inference),
            "trainable_weights": [len(frozen.trainable_weights), len(trainable.trainable_weights)],
            "non_trainable_weights": [len(frozen.non_trainable_weights),
                                      len(trainable.non_trainable_weights)]}


@probe(keras=True)
def keras_regularization_losses(ctx):
    layer = ctx.hub.KerasLayer(_fixture(ctx, "tf2_mul"))
    frozen = [float(loss) for loss in layer.losses]
    layer.trainable = True
    return {"frozen": frozen, "trainable": [round(float(v), 6) for v in layer.losses]}


@probe(keras=True)
def keras_arguments_reach_the_model(ctx):
    tf = ctx.tf
    path = os.path.join(ctx.tmp, "scaled")
    module = tf.Module()

    @tf.function(input_signature=[tf.TensorSpec(None, tf.float32), tf.TensorSpec([], tf.float32)])
    def call(x, scale):
        return x * scale

    module.__call__ = call
    tf.saved_model.save(module, path)
    layer = ctx.hub.KerasLayer(path, arguments={"scale": 3.0})
    return np.asarray(layer(tf.constant([1.0, 2.0]))).tolist()
