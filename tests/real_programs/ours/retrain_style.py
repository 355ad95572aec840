"""Written here in the pattern of tensorflow/hub's examples/image_retraining/retrain.py:
load_module_spec, get_expected_image_size, decoded images, bottlenecks, a new softmax layer
with summaries and a FileWriter, a few training steps."""
import sys
import tempfile

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

FLAGS = None


def main(_):
    module_spec = hub.load_module_spec(FLAGS.tfhub_module)
    height, width = hub.get_expected_image_size(module_spec)
    depth = hub.get_num_image_channels(module_spec)
    graph = tf.Graph()
    with graph.as_default():
        resized_input_tensor = tf.placeholder(tf.float32, [None, height, width, depth])
        m = hub.Module(module_spec)
        bottleneck_tensor = m(resized_input_tensor)
        image_data = tf.placeholder(tf.string, name="DecodePNGInput")
        decoded = tf.image.decode_png(image_data, channels=depth)
        resized = tf.image.resize_bilinear(
            tf.expand_dims(tf.image.convert_image_dtype(decoded, tf.float32), 0),
            [height, width])
        bottleneck_size = bottleneck_tensor.get_shape()[1].value
        with tf.name_scope("input"):
            bottleneck_input = tf.placeholder_with_default(
                bottleneck_tensor, shape=[None, bottleneck_size], name="BottleneckInputPlaceholder")
            ground_truth = tf.placeholder(tf.int64, [None], name="GroundTruthInput")
        with tf.name_scope("final_retrain_ops"):
            weights = tf.Variable(tf.truncated_normal([bottleneck_size, 2], stddev=0.001, seed=5),
                                  name="final_weights")
            biases = tf.Variable(tf.zeros([2]), name="final_biases")
            logits = tf.matmul(bottleneck_input, weights) + biases
            tf.summary.histogram("pre_activations", logits)
        final_tensor = tf.nn.softmax(logits, name="final_result")
        cross_entropy = tf.losses.sparse_softmax_cross_entropy(labels=ground_truth, logits=logits)
        tf.summary.scalar("cross_entropy", cross_entropy)
        train_step = tf.train.GradientDescentOptimizer(0.01).minimize(cross_entropy)
        merged = tf.summary.merge_all()
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter(FLAGS.summaries_dir + "/train", sess.graph)
        rng = np.random.RandomState(1)
        bottlenecks = []
        for _ in range(4):
            pixels = rng.randint(0, 256, (32, 40, 3)).astype(np.uint8)
            png = sess.run(tf.image.encode_png(pixels))  # lossless: same pixels everywhere
            image = sess.run(resized, {image_data: png})
            bottlenecks.append(sess.run(bottleneck_tensor, {resized_input_tensor: image})[0])
        print("bottleneck", np.array(bottlenecks)[:, :5])
        truth = np.array([0, 1, 0, 1])
        for i in range(FLAGS.how_many_training_steps):
            summary, _, value = sess.run([merged, train_step, cross_entropy],
                                         {bottleneck_input: bottlenecks, ground_truth: truth})
            writer.add_summary(summary, i)
            tf.logging.info("Step %d: Cross entropy = %f", i, value)
            print("cross entropy", value)
        print(sess.run(final_tensor, {bottleneck_input: bottlenecks}))
        writer.close()


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--tfhub_module", type=str,
                        default="https://tfhub.dev/google/imagenet/inception_v3/feature_vector/1")
    parser.add_argument("--how_many_training_steps", type=int, default=3)
    parser.add_argument("--summaries_dir", type=str, default=tempfile.mkdtemp())
    FLAGS, unparsed = parser.parse_known_args()
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
