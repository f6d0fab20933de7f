"""Taxes on a tax-included amount with the rates in force on a day (rules 1-3).

The rates are the law's, kept in TaxRate with the date each took effect. A tax-included
price P splits as GST = round(P x g / (100 + g + q)), QST = round(P x q / (100 + g + q)),
pre-tax = the rest, each tax rounded half-up once: the three parts always add up to P.
The table changes once in years, so it is read once per process (`tax_rates_forget`
after editing it in a test or a shell).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from decimal import Decimal

from parcauto.core.money import TaxSplit, to_cents

from .models import TaxRate

_ZERO = Decimal("0.00")
_HUNDRED = Decimal("100")


class NoTaxRate(LookupError):
    """No rate of a tax was in force on the day asked (the table has no earlier row)."""


@functools.cache
def _rates() -> dict[str, tuple[list[dt.date], list[Decimal]]]:
    """Per tax, its effective dates in ascending order and the rate from each."""
    table: dict[str, tuple[list[dt.date], list[Decimal]]] = {}
    for tax, rate, since in TaxRate.objects.order_by("tax", "effective_from").values_list(
        "tax", "rate", "effective_from"
    ):
        days, rates = table.setdefault(tax, ([], []))
        days.append(since)
        rates.append(rate)
    return table


def tax_rates_forget() -> None:
    """Read the table again on next use (after a change to TaxRate)."""
    _rates.cache_clear()


def tax_rate_on(*, tax: str, day: dt.date) -> Decimal:
    days, rates = _rates().get(tax, ([], []))
    index = bisect.bisect_right(days, day) - 1
    if index < 0:
        raise NoTaxRate(f"no {tax} rate in force on {day}")
    return rates[index]


def tax_split_on(*, amount: Decimal, day: dt.date, taxable: bool) -> TaxSplit:
    """GST, QST and pre-tax parts of the tax-included `amount` on `day` (exempt: all pre-tax)."""
    if not isinstance(amount, Decimal):  # a float has already lost cents
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    total = to_cents(amount)
    if not taxable:
        return TaxSplit(pre_tax=total, gst=_ZERO, qst=_ZERO)
    gst_rate = tax_rate_on(tax=TaxRate.Tax.GST, day=day)
    qst_rate = tax_rate_on(tax=TaxRate.Tax.QST, day=day)
    included = _HUNDRED + gst_rate + qst_rate
    gst = to_cents(total * gst_rate / included)
    qst = to_cents(total * qst_rate / included)
    return TaxSplit(pre_tax=total - gst - qst, gst=gst, qst=qst)
