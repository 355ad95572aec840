"""Fine-tuning with tags={"train"}: UPDATE_OPS, regularization losses, optimizer steps.

Usage: python fine_tuning.py FINETUNE_MLP_DIR MLP_BN_DIR
"""
import sys

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.compat.v1.disable_eager_execution()


def fmt(array):
    return np.array2string(np.round(np.asarray(array, dtype=np.float64), 5), separator=", ")


def train(module_dir):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        target = tf.compat.v1.placeholder(tf.float32, [None, 1])
        module = hub.Module(module_dir, trainable=True, tags={"train"})
        y = module({"x": x})
        loss = tf.reduce_mean(tf.square(y - target))
        reg_losses = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
        update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        print("update ops:", sorted(op.name for op in update_ops))
        print("regularization losses:", sorted(t.name for t in reg_losses))
        print("trainable:", sorted(v.name for v in tf.compat.v1.trainable_variables()))
        print("model variables:", sorted(v.name for v in tf.compat.v1.model_variables()))
        total = loss + tf.add_n(reg_losses)
        with tf.control_dependencies(update_ops):
            step = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(total)
        rng = np.random.RandomState(1)
        xs = rng.normal(size=(8, 4)).astype(np.float32)
        ys = rng.normal(size=(8, 1)).astype(np.float32)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            for i in range(4):
                _, value = session.run([step, total], {x: xs, target: ys})
                print("step", i, "loss", round(float(value), 5))
            print("reg:", fmt(session.run(reg_losses)))
            for key, var in sorted(module.variable_map.items()):
                print(key, fmt(session.run(var)))


def updates_only(module_dir):
    """The genuine mlp_bn has dropout (random), so only batch-norm statistics are compared."""
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        module = hub.Module(module_dir, trainable=True, tags={"train"})
        outputs = module(x, as_dict=True)
        update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        print("outputs:", sorted(outputs))
        print("update ops:", sorted(op.name for op in update_ops))
        print("regularization:", len(tf.compat.v1.get_collection(
            tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)))
        frozen = hub.Module(module_dir, tags={"train"})
        frozen(x)
        print("after frozen module:", len(tf.compat.v1.get_collection(
            tf.compat.v1.GraphKeys.UPDATE_OPS)), len(tf.compat.v1.trainable_variables()))
        xs = np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            for _ in range(3):
                session.run(update_ops, {x: xs})
            print("moving_mean:", fmt(session.run(module.variable_map["bn/moving_mean"])))
            print("moving_variance:", fmt(session.run(module.variable_map["bn/moving_variance"])))


if __name__ == "__main__":
    train(sys.argv[1])
    updates_only(sys.argv[2])
