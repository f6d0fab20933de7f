"""Canadian postal codes and phone numbers: accept what people type, store one form."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Canada Post: no D, F, I, O, Q, U anywhere; no W or Z as the first letter.
_POSTAL_CODE = re.compile(r"^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])(\d[ABCEGHJ-NPRSTV-Z]\d)$")


def normalize_postal_code(value: str) -> str:
    """`h2x1y4`, `H2X-1Y4`, ` h2x 1y4 ` -> `H2X 1Y4`; anything else is refused."""
    compact = re.sub(r"[\s-]", "", value or "").upper()
    match = _POSTAL_CODE.match(compact)
    if not match:
        raise ValidationError(
            _("Enter a Canadian postal code such as H2X 1Y4."), code="invalid_postal_code"
        )
    return f"{match.group(1)} {match.group(2)}"


def normalize_phone(value: str) -> str:
    """A North American number in any usual form -> E.164 (`+15145551234`)."""
    try:
        number = phonenumbers.parse(value, "CA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number such as 514 555-1234."), code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """E.164 -> `(514) 555-1234` for Canadian numbers, international form otherwise."""
    if not value:
        return ""
    number = phonenumbers.parse(value, "CA")
    if number.country_code == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
