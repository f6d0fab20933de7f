"""Business days, as banks count them for debits and their returns: Monday to Friday,
except Quebec's statutory holidays (the `holidays` package, Canada, subdivision QC: New
Year's Day, Good Friday, National Patriots' Day, Saint-Jean-Baptiste, Canada Day, Labour
Day, Thanksgiving, Christmas, and the days they are observed on).

Used for PAD dates (a CPA-005 file is dated on a business day, and the debits a PAD
confirmation lists fall on one) and for the delays counted in business days (a debit not
returned after the originator's delay is paid). Notices the rules count in calendar days
(10 days before a first debit, rules 27 and 28) stay calendar days.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays


@cache
def _quebec_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("CA", subdiv="QC", years=year))


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _quebec_holidays(day.year)


def business_day_on_or_after(day: dt.date) -> dt.date:
    """`day` if banks work that day, else the next day they do."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def business_days_before(day: dt.date, count: int) -> dt.date:
    """The date `count` business days before `day`."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day
