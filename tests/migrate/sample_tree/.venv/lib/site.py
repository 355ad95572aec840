import tensorflow_hub as hub  # vendored, must stay
