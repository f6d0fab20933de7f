"""Dates and times as people read them, in the active language.

French follows the Office québécois de la langue française: `1er décembre 2026` (the
first of the month is an ordinal), `10 h 00`, `1er décembre 2026 à 10 h 00`. English:
`December 1, 2026`, `10:00 a.m.`. Django's own formats give `1 décembre 2026` and
`10:00`, so every page, e-mail and PDF goes through these functions (or the
`parcauto_format` filters built on them). Moments are shown in Quebec's time zone.
The back office may keep ISO dates in its tables, where they sort.
"""

from __future__ import annotations

import datetime as dt

from django.utils.dates import MONTHS
from django.utils.translation import gettext

from .clock import LOCAL_TZ
from .i18n import active_language


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LOCAL_TZ) if moment.tzinfo else moment


def format_date(day: dt.date | dt.datetime | None, *, year: bool = True) -> str:
    """`1er décembre 2026` / `December 1, 2026`; `year=False`: `1er mai` / `May 1`."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    month = str(MONTHS[day.month])  # translated by Django: "décembre", "December"
    if active_language() == "en":
        return f"{month} {day.day}, {day.year}" if year else f"{month} {day.day}"
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {month.lower()}"
    return f"{text} {day.year}" if year else text


def format_time(moment: dt.datetime | dt.time | None) -> str:
    """`10 h 00` / `10:00 a.m.`, in Quebec's time zone."""
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = _local(moment).time()
    if active_language() == "en":
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'a.m.' if moment.hour < 12 else 'p.m.'}"
    return f"{moment.hour} h {moment.minute:02d}"


def format_datetime(moment: dt.datetime | None) -> str:
    """`1er décembre 2026 à 10 h 00` / `December 1, 2026 at 10:00 a.m.`"""
    if moment is None:
        return ""
    return gettext("%(date)s at %(time)s") % {
        "date": format_date(moment),
        "time": format_time(moment),
    }
