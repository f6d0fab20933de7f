"""Partial months: what a few days of a monthly permit cost, and what is owed back.

A month is charged by the day it contains (June 30 days, July 31), so 16 days of June
cost 16/30 of the monthly price (rule 14, OPS-COM proration), rounded half-up to the
cent (ARCHITECTURE "Money"). What is rounded is the price of the month *up to* each
day; a range costs the difference of its two ends. So the parts of a month always add
up to exactly the month's price: no cent is lost or made when a month is split.
Periods are inclusive of both dates, like Subscription.start_date and end_date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from parcauto.core.money import to_cents


class Period(NamedTuple):
    """From `start` to `end`, both days included ("du 1 juin au 30 juin")."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _require_decimal(amount: object, name: str) -> Decimal:
    if not isinstance(amount, Decimal):  # a float has already lost cents
        raise TypeError(f"{name} must be a Decimal, not {type(amount).__name__}")
    return amount


def days_in_month(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=days_in_month(day))


def first_period(start: dt.date, end: dt.date | None = None) -> Period:
    """The first billing period of a monthly contract: from `start` to the end of its
    month, or to `end` if the contract stops sooner."""
    if end is not None and end < start:
        raise ValueError(f"the period cannot end ({end}) before it starts ({start})")
    last = month_end(start)
    return Period(start, last if end is None else min(end, last))


def prorate(*, monthly_price: Decimal, start: dt.date, end: dt.date | None = None) -> Decimal:
    """The price of `start` to `end` (default: the end of the month), both in one month.

    A full month costs exactly `monthly_price`.
    """
    price = _require_decimal(monthly_price, "monthly_price")
    if end is None:
        end = month_end(start)
    if (end.year, end.month) != (start.year, start.month):
        raise ValueError(f"{start} and {end} are not in the same month")
    if end < start:
        raise ValueError(f"the period cannot end ({end}) before it starts ({start})")
    days = days_in_month(start)
    return to_cents(price * end.day / days) - to_cents(price * (start.day - 1) / days)


def refund_for_unused(*, paid: Decimal, period: Period, stop: dt.date) -> Decimal:
    """What `paid` for `period` is worth after `stop`, the last day the permit is used.

    Stopping before the period starts refunds everything; on or after its last day,
    nothing. Never more than `paid`. Whether a tenant refunds at all is its own term
    (rule 7: SPAQ refunds no rent): this only says how much the unused days are worth.
    """
    amount = _require_decimal(paid, "paid")
    if amount < 0 or amount != to_cents(amount):
        raise ValueError(f"paid must be a positive amount in cents, not {amount}")
    if period.end < period.start:
        raise ValueError(f"the period cannot end ({period.end}) before it starts")
    if stop < period.start:
        return to_cents(amount)
    unused = max((period.end - stop).days, 0)
    return to_cents(amount * unused / period.days)
