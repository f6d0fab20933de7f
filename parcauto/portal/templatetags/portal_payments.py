"""How a stored means of payment reads on the portal: "Visa •••• 4242", "12/30"."""

from __future__ import annotations

from django import template

register = template.Library()

# Gateways give a code (Moneris: V, M, AX; the sandbox: visa, mastercard, amex).
BRANDS = {
    "v": "Visa",
    "visa": "Visa",
    "m": "Mastercard",
    "mastercard": "Mastercard",
    "ax": "American Express",
    "amex": "American Express",
}


@register.filter
def card_brand(code: str) -> str:
    return BRANDS.get(code.lower(), code.title())


@register.filter
def card_expiry(yymm: str) -> str:
    """The gateway's YYMM as printed on the card, MM/YY."""
    return f"{yymm[2:]}/{yymm[:2]}" if len(yymm) == 4 else yymm
