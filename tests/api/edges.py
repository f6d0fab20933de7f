"""Values near the API's input rules, for the request readers' Hypothesis tests: valid
ones, others of the wrong form (blank, padded, control or lone surrogate characters,
lower case, unknown codes, times without an offset or out of range)."""

from __future__ import annotations

TEXT_EDGES = [
    "",
    " ",
    "a\x00b",
    "\ud800",
    "ABC123",
    "abc 123",
    "A-1",
    "A$C",
    "QC",
    "qc",
    "ON",
    "XX",
    "2026-11-02T08:00:00-05:00",
    "2026-11-02T13:00:00Z",
    "2026-11-02T08:00:00",
    "0001-01-01T00:00:00+05:00",
]
