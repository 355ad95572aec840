"""The matrix cells' own tests (noxfile.py: legacy_reference, hub016)."""
