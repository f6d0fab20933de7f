"""`{{ amount|money }}` in e-mails: `1 234,50 $` in French, `$1,234.50` in English."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from parcauto.core.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format_money(amount, "en" if (get_language() or "fr").startswith("en") else "fr")
