"""The collection calendar ("CALENDRIER DE PERCEPTION"): a contract's charges, date by date.

- Monthly billing: the first charge falls on the start date, for the rest of that month
  (prorated, rule 14, unless the lot bills a full first month); every later charge
  falls on the 1st and covers the month, the last one prorated to the end date if any.
- Per term and one time: a single charge of the price on the start date, for the
  contract's dates.

Amounts are tax-included; billing.taxes.tax_split_on splits them with the rates of the
period (the callers do: this module reads no table). A charge that rounds to 0,00 $ is
left out: there is nothing to collect.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple, Protocol

from parcauto.core.money import to_cents

from .proration import Period, first_period, month_end, prorate

MONTHLY = "monthly"
PER_TERM = "per_term"
ONE_TIME = "one_time"


class BillingTerms(Protocol):
    """What the calendar reads from a contract: a Subscription has these fields."""

    @property
    def start_date(self) -> dt.date: ...
    @property
    def end_date(self) -> dt.date | None: ...
    @property
    def billing_frequency(self) -> str: ...
    @property
    def price(self) -> Decimal: ...


class ScheduledCharge(NamedTuple):
    due_on: dt.date
    # None for a one-time charge without an end date (an occasional bundle).
    period: Period | None
    amount: Decimal


def _next_month(day: dt.date) -> dt.date:
    return month_end(day) + dt.timedelta(days=1)


def _monthly(terms: BillingTerms, horizon: dt.date) -> list[Period]:
    periods: list[Period] = []
    period = first_period(terms.start_date, terms.end_date)
    while period.start <= horizon:
        periods.append(period)
        following = _next_month(period.start)
        if terms.end_date is not None and following > terms.end_date:
            break
        period = first_period(following, terms.end_date)
    return periods


def collection_calendar(
    terms: BillingTerms, *, horizon: dt.date, prorate_first: bool = True
) -> list[ScheduledCharge]:
    """The charges of `terms` due on or before `horizon`, in date order."""
    if not isinstance(terms.price, Decimal):
        raise TypeError(f"price must be a Decimal, not {type(terms.price).__name__}")
    start, end = terms.start_date, terms.end_date
    if end is not None and end < start:
        raise ValueError(f"the contract cannot end ({end}) before it starts ({start})")
    frequency = terms.billing_frequency
    charges: list[tuple[dt.date, Period | None, Decimal]] = []
    if frequency == MONTHLY:
        for index, period in enumerate(_monthly(terms, horizon)):
            if index == 0 and not prorate_first:
                amount = to_cents(terms.price)
            else:
                amount = prorate(monthly_price=terms.price, start=period.start, end=period.end)
            charges.append((period.start, period, amount))
    elif frequency in (PER_TERM, ONE_TIME):
        if end is None and frequency == PER_TERM:
            raise ValueError("a contract billed per term needs an end date")
        if start <= horizon:
            dates = None if end is None else Period(start, end)
            charges.append((start, dates, to_cents(terms.price)))
    else:
        raise ValueError(f"unknown billing frequency {frequency!r}")
    return [
        ScheduledCharge(due_on, period, amount) for due_on, period, amount in charges if amount > 0
    ]
