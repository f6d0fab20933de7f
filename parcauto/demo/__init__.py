"""Demo institutions, catalog and accounts, loaded by `manage.py load_demo_data` (dev only).

The content follows the three user guides in the specification (cem, ciusse-chus, cisso).
"""
