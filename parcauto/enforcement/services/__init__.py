"""Enforcement use cases: notice numbers (`numbers`), amounts (`pricing`) and the state
changes every other module goes through (`transitions`)."""
