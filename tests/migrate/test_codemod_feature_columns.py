from hubcompat.codemods.feature_columns import NO_V2
from hubcompat.codemods.feature_columns import FeatureColumnsCommand as Cmd

from .helpers import check_noop, check_transformed


def test_text_column_to_v2_and_todos():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf
        import tensorflow_hub as hub
        from tensorflow_hub import text_embedding_column

        a = hub.text_embedding_column("sentence", module_spec="h", trainable=True)
        b = text_embedding_column("sentence", "h")
        c = hub.image_embedding_column("image", "h")
        """,
        f"""
        import tensorflow as tf
        import tensorflow_hub as hub
        from tensorflow_hub import text_embedding_column_v2

        a = hub.text_embedding_column_v2("sentence", module_path="h", trainable=True)
        b = text_embedding_column_v2("sentence", "h")
        # TODO(hubcompat): {NO_V2["image_embedding_column"]}
        c = hub.image_embedding_column("image", "h")
        """,
    )


def test_estimator_code_and_specs_get_todos():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf
        import tensorflow_hub as hub

        col = hub.text_embedding_column("s", "h")
        est = tf.estimator.DNNClassifier(feature_columns=[col], hidden_units=[8])
        """,
        """
        import tensorflow as tf
        import tensorflow_hub as hub

        # TODO(hubcompat): text_embedding_column in graph/Estimator code: text_embedding_column_v2 works only with Keras (kept running on hubcompat)
        col = hub.text_embedding_column("s", "h")
        est = tf.estimator.DNNClassifier(feature_columns=[col], hidden_units=[8])
        """,
    )


def test_noop():
    check_noop(
        Cmd,
        """
        import tensorflow as tf
        import tensorflow_hub as hub

        col = hub.text_embedding_column_v2("s", "h")
        other = tf.feature_column.numeric_column("x")
        """,
    )
