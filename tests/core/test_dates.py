"""Dates and times read the Quebec way in French, and correctly in English."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import translation

from parcauto.core.clock import LOCAL_TZ
from parcauto.core.dates import format_date, format_datetime, format_time

FIRST = dt.date(2026, 12, 1)
# 15:00 UTC is 10:00 in Quebec in December (UTC-5).
MORNING = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def test_the_first_of_the_month_is_an_ordinal_in_french() -> None:
    with translation.override("fr"):
        assert format_date(FIRST) == "1er décembre 2026"
        assert format_date(dt.date(2026, 6, 15)) == "15 juin 2026"
        assert format_date(dt.date(2026, 5, 1), year=False) == "1er mai"


def test_times_read_10_h_00_in_quebec_time() -> None:
    with translation.override("fr"):
        assert format_time(MORNING) == "10 h 00"
        assert format_time(dt.time(9, 5)) == "9 h 05"
        assert format_datetime(MORNING) == "1er décembre 2026 à 10 h 00"
        # 04:30 UTC on the 2nd is still the 1st in Quebec.
        late = dt.datetime(2026, 12, 2, 4, 30, tzinfo=dt.UTC)
        assert format_date(late) == "1er décembre 2026"
        assert format_time(late) == "23 h 30"


def test_english_reads_month_day_year_and_a_12_hour_clock() -> None:
    with translation.override("en"):
        assert format_date(FIRST) == "December 1, 2026"
        assert format_date(FIRST, year=False) == "December 1"
        assert format_time(MORNING) == "10:00 a.m."
        assert format_time(dt.time(0, 15)) == "12:15 a.m."
        assert format_time(dt.time(12, 0)) == "12:00 p.m."
        assert format_datetime(MORNING) == "December 1, 2026 at 10:00 a.m."


def test_the_template_filters_use_the_same_helpers() -> None:
    template = Template(
        "{% load parcauto_format %}{{ day|qc_date }}|{{ day|qc_date:'no_year' }}|"
        "{{ moment|qc_time }}|{{ moment|qc_datetime }}|{{ nothing|qc_date }}"
    )
    context = Context({"day": FIRST, "moment": MORNING.astimezone(LOCAL_TZ), "nothing": None})
    with translation.override("fr"):
        assert template.render(context) == (
            "1er décembre 2026|1er décembre|10 h 00|1er décembre 2026 à 10 h 00|"
        )
    with translation.override("en"):
        assert template.render(context) == (
            "December 1, 2026|December 1|10:00 a.m.|December 1, 2026 at 10:00 a.m.|"
        )
