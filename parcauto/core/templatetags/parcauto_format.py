"""`{{ amount|money }}` everywhere (pages, e-mails, back office): `1 234,50 $` in French,
`$1,234.50` in English, the active language deciding."""

from __future__ import annotations

from decimal import Decimal

from django import template

from parcauto.core.money import format_money_active

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None) -> str:
    return format_money_active(amount)
