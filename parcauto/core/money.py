"""Money: Decimal only, two places, taxes back-calculated from tax-included prices.

Quebec sales taxes on a tax-included price P (rule 3, ARCHITECTURE "Money"):
GST = round(P x 5 / 114.975), QST = round(P x 9.975 / 114.975), pre-tax = P - GST - QST,
each tax rounded half-up to the cent once, so the three parts always add up to P.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from parcauto.core.i18n import active_language

CENT = Decimal("0.01")
GST_RATE = Decimal("5")  # per cent
QST_RATE = Decimal("9.975")  # per cent, on the price before GST (no tax on tax)
_TAX_INCLUDED = Decimal("100") + GST_RATE + QST_RATE  # 114.975
NBSP = "\u00a0"


class TaxSplit(NamedTuple):
    pre_tax: Decimal
    gst: Decimal
    qst: Decimal

    @property
    def total(self) -> Decimal:
        return self.pre_tax + self.gst + self.qst


def to_cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent: the last step of any computation, never before."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _as_decimal(amount: Decimal | int | str) -> Decimal:
    if isinstance(amount, float):  # a float has already lost cents: refuse it loudly
        raise TypeError("money must be a Decimal (or an int or str), never a float")
    return Decimal(amount)


def split_taxes(price: Decimal | int | str) -> TaxSplit:
    """GST, QST and the pre-tax amount contained in a tax-included `price`."""
    total = to_cents(_as_decimal(price))
    gst = to_cents(total * GST_RATE / _TAX_INCLUDED)
    qst = to_cents(total * QST_RATE / _TAX_INCLUDED)
    return TaxSplit(pre_tax=total - gst - qst, gst=gst, qst=qst)


def _group_thousands(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        digits, group = digits[:-3], digits[-3:]
        groups.insert(0, group)
    return separator.join([digits, *groups])


def format_money(amount: Decimal | int | str, language: str) -> str:
    """`1 234,50 $` in French (no-break spaces), `$1,234.50` in English."""
    value = to_cents(_as_decimal(amount))
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):.2f}".split(".")
    if language == "en":
        return f"{sign}${_group_thousands(units, ',')}.{cents}"
    return f"{sign}{_group_thousands(units, NBSP)},{cents}{NBSP}$"


def format_money_active(amount: Decimal | int | str | None) -> str:
    """`format_money` in the active language (French unless English is active); "" for none."""
    if amount is None or amount == "":
        return ""
    return format_money(amount, active_language())


def format_rate(rate: Decimal, language: str) -> str:
    """A percentage as printed on a receipt: `9,975 %` in French, `9.975%` in English."""
    text = f"{rate.normalize():f}"
    if language == "en":
        return f"{text}%"
    return f"{text.replace('.', ',')}{NBSP}%"
