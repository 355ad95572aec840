"""TF1 Hub modules as TF2 objects: reading, graph import, and the adapter."""
