"""Written here in the pattern of TF1 fine-tuning code: an image feature-vector module under
tf.contrib.slim layers, a Session and a few training steps (seeded initialisers)."""
import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

slim = tf.contrib.slim

module = hub.Module("https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/2")
height, width = hub.get_expected_image_size(module)
images = tf.placeholder(tf.float32, [None, height, width, 3])
labels = tf.placeholder(tf.int64, [None])
features = module(images)
with slim.arg_scope([slim.fully_connected],
                    weights_initializer=tf.truncated_normal_initializer(stddev=0.01, seed=3)):
    net = slim.fully_connected(features, 16, scope="hidden")
    logits = slim.fully_connected(net, 2, activation_fn=None, scope="logits")
loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

batch = np.random.RandomState(0).uniform(0, 1, (4, height, width, 3)).astype(np.float32)
targets = np.array([0, 1, 0, 1])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        _, value = sess.run([train_op, loss], {images: batch, labels: targets})
        print("step", step, "loss", value)
    print(sess.run(tf.nn.softmax(logits), {images: batch}))
