"""Written here in the pattern of the 2018 Universal Sentence Encoder colab and the scripts
copied from it: a string placeholder, hub.Module, a Session, feed_dict, np.inner."""
import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

tf.logging.set_verbosity(tf.logging.ERROR)

module_url = "https://tfhub.dev/google/universal-sentence-encoder/2"
messages = ["the quick brown fox", "a lazy dog", "I am a sentence for which I would like "
            "to get its embedding", "Elephant", ""]

similarity_input_placeholder = tf.placeholder(tf.string, shape=(None))
embed = hub.Module(module_url)
similarity_message_encodings = embed(similarity_input_placeholder)

with tf.Session() as session:
    session.run([tf.global_variables_initializer(), tf.tables_initializer()])
    message_embeddings = session.run(
        similarity_message_encodings, feed_dict={similarity_input_placeholder: messages})
    for i, message_embedding in enumerate(np.array(message_embeddings).tolist()):
        print(f"Message: {messages[i]}")
        print(f"Embedding size: {len(message_embedding)}")
        print("Embedding: [{}, ...]".format(", ".join(str(x) for x in message_embedding[:3])))
    corr = np.inner(message_embeddings, message_embeddings)
    print(corr)
