"""Tests of hubcompat/tf1/: TF1 Hub modules loaded as TF2 objects."""
