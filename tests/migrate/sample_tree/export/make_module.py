import tensorflow as tf
import tensorflow_hub as hub


def module_fn():
    x = tf.placeholder(tf.float32, [None, 4])
    hub.add_signature(inputs=x, outputs=tf.layers.dense(x, 2))


def export(path):
    spec = hub.create_module_spec(module_fn)
    with tf.Graph().as_default():
        module = hub.Module(spec)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            module.export(path, session)
