# sample_tree/ is input data for the migration tests (TF1 code, a Python 2 file): never collect it.
collect_ignore = ["sample_tree"]
