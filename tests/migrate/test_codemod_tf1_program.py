"""``tf1_program``: the TF1 code around the hub calls, one test per rewrite (issue 20)."""

from __future__ import annotations

import json
import textwrap

import pytest
from nbformat import v4

from hubcompat.codemods import _tf1, _tf1_api
from hubcompat.codemods._tf1 import ESTIMATOR_WAY_OUT, LEGACY_KERAS_LINE
from hubcompat.codemods.tf1_program import Tf1Program as Cmd
from hubcompat.migrate import runner
from hubcompat.migrate.__main__ import main

from .helpers import check_noop, check_transformed

CONTRIB_LEARN = (
    "tf.contrib.learn was removed in TensorFlow 2.0 and has no successor: rewrite this use "
    "with TF2 / Keras APIs (tf_upgrade_v2's notes list replacements)"
)


def test_graph_code_gets_the_migration_guides_first_step():
    events = check_transformed(
        Cmd,
        """
        import numpy as np
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.layers.flatten(x) if False else tf.reduce_sum(x, axis=1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
        """,
        f"""
        import numpy as np
        import os
        {LEGACY_KERAS_LINE}
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()

        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.layers.flatten(x) if False else tf.reduce_sum(x, axis=1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
        """,
    )
    assert {e["kind"] for e in events} == {"change"}
    assert events[0]["needs"] == ["tf-keras"]  # tf.layers is Keras 2 (tf-keras)


def test_plain_import_and_semicolons_and_crlf():
    check_transformed(
        Cmd,
        "import os; import tensorflow\r\nsess = tensorflow.Session()\r\n",
        "import os; import tensorflow.compat.v1 as tensorflow\r\n"
        "tensorflow.disable_v2_behavior()\r\nsess = tensorflow.Session()\r\n",
    )


def test_non_ascii_columns():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf
        x = {"ünïcødé": tf.placeholder(tf.string)}  # é
        """,
        """
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        x = {"ünïcødé": tf.placeholder(tf.string)}  # é
        """,
    )


def test_file_mixing_tf2_only_names_gets_symbol_level_names():
    assert "optimizers" in _tf1_api.V2_ONLY and "summary.scalar" in _tf1_api.V1_SEMANTICS
    check_transformed(
        Cmd,
        """
        import tensorflow as tf

        opt = tf.optimizers.Adam()
        with tf.Session() as sess:
            tf.summary.scalar("loss", 1.0)
            tf.nn.relu(tf.get_variable("v", [2]))
        """,
        """
        import tensorflow as tf
        tf.compat.v1.disable_v2_behavior()

        opt = tf.optimizers.Adam()
        with tf.compat.v1.Session() as sess:
            tf.compat.v1.summary.scalar("loss", 1.0)
            tf.nn.relu(tf.compat.v1.get_variable("v", [2]))
        """,
    )


def test_eager_tf1_file_keeps_eager_execution():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf
        tf.enable_eager_execution()
        print(tf.log(2.0))
        """,
        """
        import tensorflow as tf
        tf.compat.v1.enable_eager_execution()
        print(tf.compat.v1.log(2.0))
        """,
    )


def test_contrib_slim_every_spelling():
    events = check_transformed(
        Cmd,
        """
        import tensorflow as tf
        import tensorflow.contrib.slim as slim2
        from tensorflow.contrib import slim
        from tensorflow.contrib.slim.nets import resnet_v1

        slim3 = tf.contrib.slim
        net = tf.contrib.slim.fully_connected(slim.flatten(x), 3)
        """,
        """
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        import tf_slim
        import tf_slim as slim2
        import tf_slim as slim
        from tf_slim.nets import resnet_v1

        slim3 = tf_slim
        net = tf_slim.fully_connected(slim.flatten(x), 3)
        """,
    )
    assert events[0]["needs"] == ["tf-slim"]


def test_contrib_successors_and_the_ones_without():
    assert _tf1_api.CONTRIB_RENAMES["contrib.data.AUTOTUNE"] == "data.experimental.AUTOTUNE"
    assert "xavier_initializer" in _tf1_api.SLIM_LAYERS  # tf-slim: contrib.layers' successor
    events = check_transformed(
        Cmd,
        """
        import tensorflow as tf

        from tensorflow.contrib.layers import fully_connected, l2_regularizer

        a = tf.contrib.data.AUTOTUNE
        w = tf.get_variable("w", [2], initializer=tf.contrib.layers.xavier_initializer(seed=1))
        n = tf.contrib.layers.xavier_initializer(uniform=False)
        tf.contrib.learn.DNNClassifier([3])
        tf.contrib.layers.no_such_layer(3)
        """,
        f"""
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        import tf_slim

        from tf_slim import fully_connected, l2_regularizer

        a = tf.data.experimental.AUTOTUNE
        w = tf.get_variable("w", [2], initializer=tf_slim.xavier_initializer(seed=1))
        n = tf_slim.xavier_initializer(uniform=False)
        # TODO(hubcompat): {CONTRIB_LEARN}
        tf.contrib.learn.DNNClassifier([3])
        # TODO(hubcompat): {CONTRIB_LEARN.replace("learn", "layers")}
        tf.contrib.layers.no_such_layer(3)
        """,
    )
    todos = [e for e in events if e["kind"] == "todo"]
    assert [e["line"] for e in todos] == [12, 14]  # lines of the new text
    assert all(e["blocker"] for e in todos)


def test_estimator_is_named_with_its_way_out():
    events = check_transformed(
        Cmd,
        """
        import tensorflow as tf

        tf.logging.set_verbosity(tf.logging.INFO)
        estimator = tf.estimator.DNNClassifier(hidden_units=[4], feature_columns=[])
        """,
        f"""
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()

        tf.logging.set_verbosity(tf.logging.INFO)
        # TODO(hubcompat): {ESTIMATOR_WAY_OUT}
        estimator = tf.estimator.DNNClassifier(hidden_units=[4], feature_columns=[])
        """,
    )
    assert [e["message"] for e in events if e["kind"] == "todo"] == [ESTIMATOR_WAY_OUT]


def test_tf2_estimator_file_is_named_but_not_rewritten():
    check_transformed(
        Cmd,
        """
        from tensorflow import estimator
        """,
        f"""
        # TODO(hubcompat): {ESTIMATOR_WAY_OUT}
        from tensorflow import estimator
        """,
    )


def test_keras_imports_in_tf1_file_use_tf1s_keras():
    check_transformed(
        Cmd,
        """
        import os
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from tensorflow import keras

        K.set_session(tf.Session())
        """,
        f"""
        import os
        {LEGACY_KERAS_LINE}
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        from tensorflow.compat.v1.keras import backend as K
        from tensorflow.compat.v1 import keras

        K.set_session(tf.Session())
        """,
    )


@pytest.mark.parametrize(
    "source",
    [
        "import tensorflow as tf\nmodel = tf.keras.Sequential()\n\n@tf.function\ndef f(x):\n    return x\n",
        "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nsess = tf.Session()\n",
        "import tensorflow.compat.v1 as tf\nsess = tf.Session()\n",  # TF2 code on compat.v1
        "import torch\nx = torch.Session\n",
        "import tensorflow as tf\nsess = tf.compat.v1.Session()\n",
    ],
)
def test_noop(source):
    check_noop(Cmd, source)


def test_byte_prefilter_has_no_false_negative_on_tf1_and_skips_tf2():
    assert _tf1.may_be_tf1(b"import tensorflow as tf\nsess = tf.Session()\n")
    assert _tf1.may_be_tf1(b"from tensorflow.contrib import slim\n")
    assert not _tf1.may_be_tf1(b"import tensorflow as tf\nm = tf.keras.Sequential()\n")
    assert not _tf1.may_be_tf1(b"import numpy as np\nsess = np.Session\n")


def test_runner_migrates_tf1_files_without_hub_and_skip_turns_it_off(tmp_path):
    path = tmp_path / "train.py"
    source = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\n"
    path.write_text(source)
    skipped = runner.migrate_file(path, runner.Options(skip=("tf1_program",)))
    assert skipped.status == "skipped" and path.read_text() == source
    result = runner.migrate_file(path, runner.Options())
    assert result.status == "changed"
    assert path.read_text().startswith("import tensorflow.compat.v1 as tf\n")
    migrated = path.read_text()
    assert runner.migrate_file(path, runner.Options()).status == "unchanged"  # second run
    assert path.read_text() == migrated


def test_notebook_cells_migrate_as_one_program(tmp_path):
    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    nb.cells = [
        v4.new_code_cell("!pip install tensorflow==1.15\nimport tensorflow as tf"),
        v4.new_code_cell("sess = tf.Session()"),
    ]
    path = tmp_path / "tf1.ipynb"
    path.write_text(json.dumps(nb, indent=1) + "\n")
    assert main([str(path), "-q", "--no-config"]) == 0
    cells = [c["source"] for c in json.loads(path.read_text())["cells"]]
    assert cells == [
        "!pip install tensorflow==1.15\nimport tensorflow.compat.v1 as tf\n"
        "tf.disable_v2_behavior()",
        "sess = tf.Session()",
    ]
    text = path.read_bytes()
    assert main([str(path), "-q", "--no-config", "--check"]) == 0 and path.read_bytes() == text


def test_requirements_get_what_the_code_imports_and_the_run_says_what_needs_a_person(
    tmp_path, capsys
):
    (tmp_path / "requirements.txt").write_text("numpy\ntensorflow==2.15\n")
    (tmp_path / "other-requirements.txt").write_text("numpy\n")
    (tmp_path / "model.py").write_text(
        "import tensorflow as tf\nslim = tf.contrib.slim\nx = tf.layers.dense(y, 3)\n"
    )
    (tmp_path / "est.py").write_text(
        "import tensorflow as tf\nest = tf.estimator.LinearClassifier([])\n"
    )
    report, markdown = tmp_path / "report.json", tmp_path / "report.md"
    assert main([str(tmp_path), "--no-config", "--no-progress", "--report", str(report),
                 "--report", str(markdown)]) == 0  # fmt: skip
    assert f"  - `{tmp_path / 'est.py'}`: {ESTIMATOR_WAY_OUT}" in markdown.read_text()
    assert "- the migrated code needs: tf-keras, tf-slim" in markdown.read_text()
    assert (tmp_path / "requirements.txt").read_text() == (
        "numpy\ntensorflow==2.15\ntf-keras\ntf-slim\n"
    )
    assert (tmp_path / "other-requirements.txt").read_text() == "numpy\n"
    err = capsys.readouterr().err
    assert "will run as they are: 1 file; need a person: 1 file" in err
    assert f"est.py: {ESTIMATOR_WAY_OUT}" in err
    data = json.loads(report.read_text())
    assert [p["path"] for p in data["needs_a_person"]] == [str(tmp_path / "est.py")]
    assert data["runs_as_is"] == [str(tmp_path / "model.py")]
    assert main([str(tmp_path), "--no-config", "-q", "--check"]) == 0
    assert textwrap.dedent((tmp_path / "requirements.txt").read_text()).count("tf-keras") == 1


def test_standalone_keras_2_in_graph_code_moves_to_tf1s_keras():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf
        import keras
        from keras import backend as K
        from keras.layers import Dense, Lambda

        K.set_session(tf.Session())
        """,
        f"""
        import os
        {LEGACY_KERAS_LINE}
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        from tensorflow.compat.v1 import keras
        from tensorflow.compat.v1.keras import backend as K
        from tensorflow.compat.v1.keras.layers import Dense, Lambda

        K.set_session(tf.Session())
        """,
    )


def test_contrib_import_without_successor_is_guarded_so_the_program_runs_until_used():
    message = (
        "tensorflow.contrib.quantize was removed in TensorFlow 2.0 and has no successor: the "
        "import now binds None (the program runs until it uses it); rewrite that code with "
        "TF2 / Keras APIs"
    )
    events = check_transformed(
        Cmd,
        """
        import tensorflow as tf
        from tensorflow.contrib import quantize as contrib_quantize
        import tensorflow.contrib.learn

        if quantize:
            contrib_quantize.create_training_graph()
        """,
        f"""
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        # TODO(hubcompat): {message}
        try:
            from tensorflow.contrib import quantize as contrib_quantize
        except ImportError:  # no tf.contrib in TensorFlow 2 (hubcompat-migrate)
            contrib_quantize = None
        # TODO(hubcompat): {message.replace("quantize", "learn").replace(" the import now binds None (the program runs until it uses it);", "")}
        import tensorflow.contrib.learn

        if quantize:
            contrib_quantize.create_training_graph()
        """,
    )
    assert [e["line"] for e in events if e["kind"] == "todo"] == [5, 10]


def test_contrib_module_aliases_are_handled_at_their_import():
    check_transformed(
        Cmd,
        """
        import tensorflow as tf
        import tensorflow.contrib.slim as slim
        net = slim.conv2d(tf.placeholder(tf.float32), 3, [3, 3])
        """,
        """
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        import tf_slim as slim
        net = slim.conv2d(tf.placeholder(tf.float32), 3, [3, 3])
        """,
    )


def test_python_2_tf1_file_is_an_error_not_a_file_that_runs(tmp_path):
    path = tmp_path / "train.py"
    path.write_text('import tensorflow as tf\nsess = tf.Session()\nprint "loss", sess\n')
    result = runner.migrate_file(path, runner.Options())
    assert result.status == "error" and result.reason.startswith("not Python 3 (")
    assert "line 3" in result.reason and "port it to Python 3 first" in result.reason


def test_todo_prefix_is_the_one_the_libcst_codemods_write():
    from hubcompat.codemods import _todos

    assert _tf1.TODO_PREFIX == _todos.TODO_PREFIX  # two copies: _tf1 must not import libcst
