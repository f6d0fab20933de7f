"""Business days skip weekends and Quebec's statutory holidays (`holidays`, CA/QC)."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.payments.business_days import (
    business_day_on_or_after,
    business_days_before,
    is_business_day,
)


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (dt.date(2027, 1, 1), "New Year's Day"),
        (dt.date(2027, 3, 26), "Good Friday"),
        (dt.date(2027, 5, 24), "Journée nationale des patriotes"),
        (dt.date(2027, 6, 24), "Saint-Jean-Baptiste"),
        (dt.date(2027, 7, 1), "Canada Day"),
        (dt.date(2027, 9, 6), "Labour Day"),
        (dt.date(2027, 10, 11), "Thanksgiving"),
        (dt.date(2027, 12, 27), "Christmas, observed on the Monday"),
    ],
)
def test_quebec_statutory_holidays_are_not_business_days(day, holiday) -> None:
    assert day.weekday() < 5
    assert not is_business_day(day), holiday


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2027, 3, 29),  # Easter Monday: not a statutory holiday in the list
        dt.date(2027, 8, 2),  # Ontario's Civic Holiday: a working day in Quebec
        dt.date(2027, 11, 11),  # Remembrance Day: a working day in Quebec
        dt.date(2027, 6, 25),
    ],
)
def test_other_weekdays_are_business_days(day) -> None:
    assert is_business_day(day)


def test_a_pad_date_on_a_holiday_or_weekend_moves_to_the_next_business_day() -> None:
    assert business_day_on_or_after(dt.date(2026, 7, 1)) == dt.date(2026, 7, 2)  # Canada Day
    assert business_day_on_or_after(dt.date(2026, 6, 20)) == dt.date(2026, 6, 22)  # Saturday
    # The last day of a month on a Saturday: the debit is drawn in the next month.
    assert business_day_on_or_after(dt.date(2027, 7, 31)) == dt.date(2027, 8, 2)
    # Christmas on a Saturday, observed on Monday 27: Tuesday 28.
    assert business_day_on_or_after(dt.date(2027, 12, 25)) == dt.date(2027, 12, 28)
    assert business_day_on_or_after(dt.date(2027, 6, 25)) == dt.date(2027, 6, 25)


def test_delays_in_business_days_skip_the_holidays_across_the_new_year() -> None:
    # 4 January 2028 (Tuesday), 3 business days back: New Year's Day is a Saturday,
    # observed on Monday 3 January, so 31, 30 and 29 December 2027.
    assert business_days_before(dt.date(2028, 1, 4), 3) == dt.date(2027, 12, 29)
    # Across Christmas 2027 (observed Monday 27): 2 business days before Tuesday 28.
    assert business_days_before(dt.date(2027, 12, 28), 2) == dt.date(2027, 12, 23)
