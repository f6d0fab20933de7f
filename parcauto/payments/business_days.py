"""Business days, as banks count them for debits and their returns."""

from __future__ import annotations

import datetime as dt


def business_days_before(day: dt.date, count: int) -> dt.date:
    """The date `count` business days (Monday to Friday) before `day`."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day
