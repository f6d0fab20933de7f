"""Time ranges a credential opens a lot over: pure computations, no database.

A contract runs from the start of its first day to the end of its last (the next day's
midnight, excluded), in America/Toronto. A plate is in effect from the moment its
vehicle change takes effect (24 h after it was made) until the next change of that
vehicle takes effect. A grant is the overlap of the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Protocol

from parcauto.core.clock import LOCAL_TZ


@dataclass(frozen=True, order=True)
class Span:
    """From `start` (included) to `end` (excluded); `end` None: open-ended."""

    start: dt.datetime
    end: dt.datetime | None

    def overlap(self, other: Span) -> Span | None:
        start = max(self.start, other.start)
        ends = [end for end in (self.end, other.end) if end is not None]
        end = min(ends) if ends else None
        if end is not None and end <= start:
            return None
        return Span(start, end)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ)


def contract_span(start_date: dt.date, end_date: dt.date | None) -> Span:
    end = day_start(end_date + dt.timedelta(days=1)) if end_date is not None else None
    return Span(day_start(start_date), end)


def spans_union(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans merged, in order."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged:
            last = merged[-1]
            if last.end is None or span.start <= last.end:
                ends = None if last.end is None or span.end is None else max(last.end, span.end)
                merged[-1] = Span(last.start, ends)
                continue
        merged.append(span)
    return merged


class Change(Protocol):
    """A vehicle change as `vehicles.models.VehicleChange` records it."""

    vehicle_id: int
    effective_at: dt.datetime
    id: int

    @property
    def state(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True)
class PlateSpan:
    plate: str
    jurisdiction: str
    span: Span


def plate_spans(changes: Iterable[Change]) -> list[PlateSpan]:
    """When each plate (with its province or state) is in effect, from vehicle histories.

    A vehicle's state holds from its change's `effective_at` until its next change's; a
    removal ends it. Spans of the same plate (a colour corrected, the same plate on two
    vehicles in turn) are merged.
    """
    found: dict[tuple[str, str], list[Span]] = {}
    ordered = sorted(changes, key=lambda c: (c.vehicle_id, c.effective_at, c.id))
    for _vehicle, history in groupby(ordered, key=lambda c: c.vehicle_id):
        rows = list(history)
        for change, following in zip(rows, [*rows[1:], None], strict=True):
            state = change.state
            if state is None:
                continue  # removed: nothing in effect until a next change (none)
            end = following.effective_at if following is not None else None
            if end is not None and end <= change.effective_at:
                continue  # replaced at the same instant it would take effect
            key = (str(state["plate"]), str(state["jurisdiction"]))
            found.setdefault(key, []).append(Span(change.effective_at, end))
    return [
        PlateSpan(plate, jurisdiction, span)
        for (plate, jurisdiction), spans in sorted(found.items())
        for span in spans_union(spans)
    ]
