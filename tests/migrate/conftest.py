# sample_tree/ and modern_programs/ are input data for the migration tests (TF1 code, a Python 2 file): never collect it.
collect_ignore = ["sample_tree", "modern_programs"]
