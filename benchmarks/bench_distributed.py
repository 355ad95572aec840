"""Distributed training step: a TF1 module through KerasLayer vs the same model in Keras.

The TF1 Hub module ``mlp_bn`` (dense + batch norm + dropout + dense, its
``{"train"}`` graph with update ops, aggregated across replicas) fine-tuned
through ``hubcompat.KerasLayer(trainable=True)`` vs the same layer stack
written in Keras (Dense, BatchNormalization, ReLU, Dropout, Dense), both
under the same strategy, timed in the same run, interleaved:

- ``--strategy mirrored`` (default): ``MirroredStrategy`` on two logical CPUs
  in this process, ``model.fit`` steps.
- ``--strategy multiworker``: ``MultiWorkerMirroredStrategy`` with two worker
  processes on 127.0.0.1 (started by this script, one CPU each); a custom
  ``strategy.run`` loop, because Keras 3's ``model.fit`` fails under it
  (docs/distributed.md); ``--fit`` uses ``model.fit`` instead (tf-keras only).

Prints the median step time of each and the ratio (target: <= 1.2). Runs on
whichever Keras hubcompat uses (``TF_USE_LEGACY_KERAS=1`` for tf-keras).

    python benchmarks/bench_distributed.py [--strategy mirrored|multiworker] [--fit]
        [--steps N] [--rounds N] [--batch N]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MODULE = REPO / "fixtures" / "tf1_modules" / "mlp_bn"
GLOBAL_BATCH = int(os.environ.get("BENCH_GLOBAL_BATCH", "64"))  # --batch sets it


def _models(keras, hubcompat):
    inputs = keras.Input(shape=(4,))
    hub_model = keras.Model(inputs, keras.layers.Dense(1)(
        hubcompat.KerasLayer(str(MODULE), trainable=True)(inputs)))
    inputs = keras.Input(shape=(4,))
    x = keras.layers.Dense(8, kernel_regularizer=keras.regularizers.l2(1e-3))(inputs)
    x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
    x = keras.layers.Dense(3)(keras.layers.Dropout(0.2)(x))
    native = keras.Model(inputs, keras.layers.Dense(1)(x))
    return hub_model, native


def _data(tf, np):
    rng = np.random.RandomState(1)
    x = rng.rand(GLOBAL_BATCH * 4, 4).astype("float32")
    y = rng.rand(GLOBAL_BATCH * 4, 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(GLOBAL_BATCH)


def _fit_timer(keras, model, data):
    model.compile(keras.optimizers.SGD(1e-3), "mse")
    model.fit(data, epochs=1, steps_per_epoch=10, verbose=0)  # trace + warm up

    def time_steps(steps):
        start = time.perf_counter()
        model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
        return (time.perf_counter() - start) / steps

    return time_steps


def _loop_timer(tf, keras, strategy, model, data):
    with strategy.scope():
        optimizer = keras.optimizers.SGD(1e-3)
    iterator = iter(strategy.experimental_distribute_dataset(data))

    @tf.function
    def step(iterator):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.square(model(x, training=True) - y)) / GLOBAL_BATCH
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
            grads = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
        strategy.run(replica_step, args=next(iterator))

    for _ in range(10):  # trace + warm up
        step(iterator)

    def time_steps(steps):
        start = time.perf_counter()
        for _ in range(steps):
            step(iterator)
        # The steps ran when their results are read back.
        float(model.layers[-1].get_weights()[1][0])
        return (time.perf_counter() - start) / steps

    return time_steps


def _measure(strategy, use_fit: bool, steps: int, rounds: int) -> dict:
    import numpy as np
    import tensorflow as tf

    import hubcompat
    from hubcompat._keras import keras_module

    keras = keras_module()
    with strategy.scope():
        hub_model, native = _models(keras, hubcompat)
    data = _data(tf, np)
    if use_fit:
        timers = [_fit_timer(keras, m, data) for m in (hub_model, native)]
    else:
        timers = [_loop_timer(tf, keras, strategy, m, data) for m in (hub_model, native)]
    ours, base = [], []
    for _ in range(rounds):
        ours.append(timers[0](steps))
        base.append(timers[1](steps))
    return {"keras": keras.__version__, "tensorflow": tf.__version__,
            "replicas": strategy.num_replicas_in_sync,
            "ours": statistics.median(ours), "base": statistics.median(base)}


def _logical_cpus(count: int) -> None:
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)


def _print(label: str, result: dict) -> None:
    o, b = result["ours"], result["base"]
    print(f"keras {result['keras']}, tensorflow {result['tensorflow']}, "
          f"{result['replicas']} replicas, global batch {GLOBAL_BATCH}")
    print(f"{label}: step  KerasLayer(mlp_bn) {o * 1e3:7.3f} ms   native Keras {b * 1e3:7.3f} ms"
          f"   ratio {o / b:.3f}  (target <= 1.2)")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _run_workers(args) -> None:
    cluster = {"worker": [f"127.0.0.1:{port}" for port in _free_ports(2)]}
    procs = []
    try:
        for index in range(2):
            env = {**os.environ, "TF_CONFIG": json.dumps(
                {"cluster": cluster, "task": {"type": "worker", "index": index}})}
            command = [sys.executable, __file__, "--worker", "--steps", str(args.steps),
                       "--rounds", str(args.rounds)] + (["--fit"] if args.fit else [])
            procs.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True))
        outputs = [p.communicate(timeout=args.timeout)[0] for p in procs]
        if any(p.returncode for p in procs):
            raise SystemExit(f"a worker failed (exit codes {[p.returncode for p in procs]})")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    result = json.loads(outputs[0].strip().splitlines()[-1])
    _print("MultiWorkerMirroredStrategy, 2 worker processes, "
           + ("model.fit" if args.fit else "strategy.run loop"), result)


def main() -> None:
    global GLOBAL_BATCH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", choices=("mirrored", "multiworker"), default="mirrored")
    parser.add_argument("--fit", action="store_true", help="multiworker: model.fit (tf-keras)")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=GLOBAL_BATCH, help="global batch size")
    parser.add_argument("--timeout", type=float, default=600.0, help="multiworker, seconds")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    GLOBAL_BATCH = args.batch
    os.environ["BENCH_GLOBAL_BATCH"] = str(args.batch)  # for the worker processes
    if args.worker:  # one process of --strategy multiworker, TF_CONFIG set
        _logical_cpus(1)
        import tensorflow as tf

        result = _measure(tf.distribute.MultiWorkerMirroredStrategy(), args.fit, args.steps,
                          args.rounds)
        print(json.dumps(result))
    elif args.strategy == "multiworker":
        _run_workers(args)
    else:
        _logical_cpus(2)
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        _print("MirroredStrategy, 2 logical CPUs, model.fit",
               _measure(strategy, True, args.steps, args.rounds))


if __name__ == "__main__":
    main()
