"""Proposed changes, measured with `--app` / `--variant` before anyone edits the services.

Each module patches the running code when imported; none is production code. Remove one
once its change is adopted (or refused).
"""
