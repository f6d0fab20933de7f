"""How a card brand reads on pages and receipts: "Visa", whatever code the gateway gave."""

from __future__ import annotations

# Gateways give a code (Moneris: V, M, AX; the sandbox: visa, mastercard, amex).
BRAND_NAMES = {
    "v": "Visa",
    "visa": "Visa",
    "m": "Mastercard",
    "mastercard": "Mastercard",
    "ax": "American Express",
    "amex": "American Express",
}


def card_brand_name(code: str) -> str:
    return BRAND_NAMES.get(code.lower(), code.title())
