"""Enforcement use cases: plate look-alikes (`matching`), plate checks (`checks`), notice
numbers (`numbers`), amounts (`pricing`) and the state changes every other module goes
through (`transitions`)."""
