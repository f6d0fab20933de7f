"""Quebec formats everywhere (pages, e-mails, PDFs, back office), the active language
deciding: `{{ amount|money }}` is `1 234,50 $` / `$1,234.50`; `{{ day|qc_date }}` is
`1er décembre 2026` / `December 1, 2026` (`qc_date:"no_year"`: `1er décembre`);
`{{ moment|qc_time }}` is `10 h 00`; `{{ moment|qc_datetime }}` is
`1er décembre 2026 à 10 h 00` (core.dates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from parcauto.core.dates import format_date, format_datetime, format_time
from parcauto.core.money import format_money_active

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None) -> str:
    return format_money_active(amount)


@register.filter
def qc_date(day: dt.date | dt.datetime | str | None, arg: str = "") -> str:
    if not isinstance(day, dt.date):
        return ""
    return format_date(day, year=arg != "no_year")


@register.filter
def qc_time(moment: dt.datetime | dt.time | str | None) -> str:
    if not isinstance(moment, dt.datetime | dt.time):
        return ""
    return format_time(moment)


@register.filter
def qc_datetime(moment: dt.datetime | str | None) -> str:
    if not isinstance(moment, dt.datetime):
        return ""
    return format_datetime(moment)
