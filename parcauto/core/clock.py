"""Time helpers: stored in UTC, reasoned about in America/Toronto.

Services take `now` from their caller so tests can move time (time-machine).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("America/Toronto")


def now() -> dt.datetime:
    return timezone.now()


def local_today(at: dt.datetime | None = None) -> dt.date:
    """The calendar date in Quebec at `at` (default: now)."""
    return (at or now()).astimezone(LOCAL_TZ).date()
