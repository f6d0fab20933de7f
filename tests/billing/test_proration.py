"""Proration: a few days of a month cost their share, once rounded; refunds stay bounded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcauto.billing.proration import (
    Period,
    days_in_month,
    first_period,
    month_end,
    prorate,
    refund_for_unused,
)

CENT = Decimal("0.01")
prices = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


def test_sixteen_days_of_june_cost_sixteen_thirtieths_of_the_price() -> None:
    # 23,08 $ x 16 / 30 = 12,3093... -> 12,31 $
    assert prorate(monthly_price=Decimal("23.08"), start=dt.date(2026, 6, 15)) == Decimal("12.31")


def test_a_range_inside_a_month_costs_its_days() -> None:
    # July has 31 days: 10 of them at 31,00 $ are 10,00 $.
    price = Decimal("31.00")
    assert prorate(
        monthly_price=price, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 10)
    ) == Decimal("10.00")


def test_february_of_a_leap_year_has_twenty_nine_days() -> None:
    assert prorate(monthly_price=Decimal("29.00"), start=dt.date(2028, 2, 29)) == Decimal("1.00")
    assert prorate(monthly_price=Decimal("28.00"), start=dt.date(2027, 2, 28)) == Decimal("1.00")


def test_the_result_is_rounded_half_up() -> None:
    # 0,05 $ x 15 / 30 = 0,025 -> 0,03 $ (half-up), not 0,02 $ (banker's rounding).
    assert prorate(
        monthly_price=Decimal("0.05"), start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 15)
    ) == Decimal("0.03")
    # ... and the rest of the month is what is left of the price.
    assert prorate(monthly_price=Decimal("0.05"), start=dt.date(2026, 6, 16)) == Decimal("0.02")


@given(prices, days)
def test_a_full_month_prorates_to_exactly_the_price(price: Decimal, day: dt.date) -> None:
    start = day.replace(day=1)
    assert prorate(monthly_price=price, start=start) == price
    assert prorate(monthly_price=price, start=start, end=month_end(start)) == price


@given(prices, days, st.lists(st.integers(min_value=1, max_value=31), max_size=6))
def test_parts_that_partition_a_month_add_up_to_exactly_the_price(
    price: Decimal, day: dt.date, cuts: list[int]
) -> None:
    first = day.replace(day=1)
    last = days_in_month(first)
    boundaries = sorted({1, *(cut for cut in cuts if cut <= last)})
    starts = [first.replace(day=number) for number in boundaries]
    ends = [start - dt.timedelta(days=1) for start in starts[1:]] + [month_end(first)]
    parts = [
        prorate(monthly_price=price, start=s, end=e) for s, e in zip(starts, ends, strict=True)
    ]
    assert sum(parts) == price
    assert all(part >= 0 and part == part.quantize(CENT) for part in parts)


@given(prices, days, days)
def test_a_refund_never_exceeds_what_was_paid(paid: Decimal, start: dt.date, stop: dt.date) -> None:
    period = first_period(start)
    refund = refund_for_unused(paid=paid, period=period, stop=stop)
    assert Decimal("0") <= refund <= paid


def test_a_refund_is_worth_the_days_left_after_the_last_day_used() -> None:
    june = Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    # Used until 20 June: 10 days of 30 come back.
    assert refund_for_unused(paid=Decimal("30.00"), period=june, stop=dt.date(2026, 6, 20)) == (
        Decimal("10.00")
    )
    assert refund_for_unused(paid=Decimal("30.00"), period=june, stop=dt.date(2026, 5, 31)) == (
        Decimal("30.00")
    )
    assert refund_for_unused(paid=Decimal("30.00"), period=june, stop=dt.date(2026, 6, 30)) == (
        Decimal("0.00")
    )
    assert refund_for_unused(paid=Decimal("30.00"), period=june, stop=dt.date(2026, 8, 1)) == (
        Decimal("0.00")
    )


def test_the_first_period_runs_to_the_end_of_the_month_or_the_contract() -> None:
    assert first_period(dt.date(2026, 6, 15)) == Period(dt.date(2026, 6, 15), dt.date(2026, 6, 30))
    assert first_period(dt.date(2026, 6, 15), dt.date(2026, 6, 20)) == Period(
        dt.date(2026, 6, 15), dt.date(2026, 6, 20)
    )
    assert first_period(dt.date(2026, 6, 1), dt.date(2026, 9, 1)) == Period(
        dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    )
    assert first_period(dt.date(2026, 6, 1)).days == 30


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="Decimal, not float"):
        prorate(monthly_price=23.08, start=dt.date(2026, 6, 15))  # type: ignore[arg-type]
    june = first_period(dt.date(2026, 6, 1))
    with pytest.raises(TypeError, match="Decimal, not float"):
        refund_for_unused(paid=23.08, period=june, stop=dt.date(2026, 6, 5))  # type: ignore[arg-type]


def test_it_refuses_ranges_that_leave_the_month_or_run_backwards() -> None:
    price = Decimal("23.08")
    with pytest.raises(ValueError, match="not in the same month"):
        prorate(monthly_price=price, start=dt.date(2026, 6, 15), end=dt.date(2026, 7, 1))
    with pytest.raises(ValueError, match="before it starts"):
        prorate(monthly_price=price, start=dt.date(2026, 6, 15), end=dt.date(2026, 6, 14))
    with pytest.raises(ValueError, match="before it starts"):
        first_period(dt.date(2026, 6, 15), dt.date(2026, 6, 1))


def test_a_refund_of_a_fraction_of_a_cent_is_refused() -> None:
    june = first_period(dt.date(2026, 6, 1))
    with pytest.raises(ValueError, match="in cents"):
        refund_for_unused(paid=Decimal("0.006"), period=june, stop=dt.date(2026, 6, 1))
    with pytest.raises(ValueError, match="in cents"):
        refund_for_unused(paid=Decimal("-1.00"), period=june, stop=dt.date(2026, 6, 1))
