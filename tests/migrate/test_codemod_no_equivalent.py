from hubcompat.codemods.no_equivalent import EXPORT, GRAPH_MODULE, NO_TF2
from hubcompat.codemods.no_equivalent import NoEquivalentCommand as Cmd

from .helpers import check_noop, check_transformed


def test_module_creation_and_export():
    check_transformed(
        Cmd,
        """
        import tensorflow_hub as hub

        def module_fn():
            hub.add_signature(inputs=x, outputs=y)

        spec = hub.create_module_spec(module_fn)
        m = hub.Module(spec)
        m.export("/tmp/out", session)
        exporter = hub.LatestModuleExporter("hub", serving_fn)
        """,
        f"""
        import tensorflow_hub as hub

        def module_fn():
            # TODO(hubcompat): {EXPORT}
            hub.add_signature(inputs=x, outputs=y)

        # TODO(hubcompat): {EXPORT}
        spec = hub.create_module_spec(module_fn)
        m = hub.Module(spec)
        # TODO(hubcompat): {EXPORT}
        m.export("/tmp/out", session)
        # TODO(hubcompat): {NO_TF2["LatestModuleExporter"]}
        exporter = hub.LatestModuleExporter("hub", serving_fn)
        """,
    )


def test_graph_code_module_gets_a_todo():
    check_transformed(
        Cmd,
        """
        import tensorflow.compat.v1 as tf
        import tensorflow_hub as hub

        embed = hub.Module("h")
        with tf.Session() as sess:
            sess.run(embed(["a"]))
        """,
        f"""
        import tensorflow.compat.v1 as tf
        import tensorflow_hub as hub

        # TODO(hubcompat): {GRAPH_MODULE}
        embed = hub.Module("h")
        with tf.Session() as sess:
            sess.run(embed(["a"]))
        """,
    )


def test_noop_eager_module_and_others():
    check_noop(
        Cmd,
        """
        import tensorflow as tf
        import tensorflow_hub as hub
        import paddlehub

        embed = hub.Module("h")
        paddlehub.create_module_spec(f)
        other.export("x")
        """,
    )
