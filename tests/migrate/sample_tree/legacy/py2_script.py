import tensorflow_hub as hub
print "embedding", hub.Module("h")
