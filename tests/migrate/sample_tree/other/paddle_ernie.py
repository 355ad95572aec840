import paddlehub as hub

module = hub.Module(name="ernie_tiny")
results = module.predict(data=[["a sentence"]])
