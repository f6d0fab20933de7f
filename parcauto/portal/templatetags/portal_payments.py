"""How a stored means of payment reads on the portal: "Visa •••• 4242", "12/30"."""

from __future__ import annotations

from django import template

from parcauto.payments.brands import card_brand_name

register = template.Library()


@register.filter
def card_brand(code: str) -> str:
    return card_brand_name(code)


@register.filter
def card_expiry(yymm: str) -> str:
    """The gateway's YYMM as printed on the card, MM/YY."""
    return f"{yymm[2:]}/{yymm[:2]}" if len(yymm) == 4 else yymm
