# Excerpt of tensorflow/hub examples/image_retraining/retrain.py (TF1 graph code).
import tensorflow as tf
import tensorflow_hub as hub


def create_module_graph(module_spec):
    """Creates a graph and loads Hub Module into it."""
    height, width = hub.get_expected_image_size(module_spec)
    with tf.Graph().as_default() as graph:
        resized_input_tensor = tf.placeholder(tf.float32, [None, height, width, 3])
        m = hub.Module(module_spec)
        bottleneck_tensor = m(resized_input_tensor)
        wants_quantization = any(node.op in ("FakeQuantWithMinMaxVars",)
                                 for node in graph.as_graph_def().node)
    return graph, bottleneck_tensor, resized_input_tensor, wants_quantization


def main(tfhub_module):
    module_spec = hub.load_module_spec(tfhub_module)
    return create_module_graph(module_spec)
