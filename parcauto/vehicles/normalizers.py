"""Licence plates: accept what people type, store one form, match what cameras read.

Rules 47 and 48 of DOMAIN_RULES: upper case, no spaces or dashes, the registration
certificate's check digit dropped, the jurisdiction kept beside the plate; look-ups by
patrol and plate cameras compare OCR-equivalent characters.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLATE_MIN_LENGTH = 2
PLATE_MAX_LENGTH = 8
PLATE_PATTERN = rf"^[A-Z0-9]{{{PLATE_MIN_LENGTH},{PLATE_MAX_LENGTH}}}$"
_PLATE = re.compile(PLATE_PATTERN)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")  # spaces, dashes of every width
# A Quebec registration certificate prints the plate followed by a dash and one check
# digit (`ABC123-4`); the guides ask people not to type them. Quebec plates have 6 or 7
# characters, so a single digit after a dash at the end of one is that check digit.
_QC_CERTIFICATE = re.compile(r"^(.+?)\s*[-\u2010-\u2015]\s*\d$")

# Characters that plate cameras and people confuse, each mapped to one representative.
# Two plates with the same key may be the same plate read differently:
#   O, Q, D -> 0    I -> 1    Z -> 2    S -> 5    G -> 6    B -> 8
# Deliberately short: every extra pair makes more distinct plates collide. A hit on the
# key alone is a candidate that a person confirms before a notice (rule 48).
MATCH_KEY_TABLE = str.maketrans(
    {"O": "0", "Q": "0", "D": "0", "I": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
)


def normalize_plate(value: str, *, jurisdiction: str | None = None) -> str:
    """` abc-123 ` -> `ABC123`; Quebec `ABC123-4` (certificate) -> `ABC123`.

    Letters A-Z and digits only, 2 to 8 of them; anything else is refused.
    """
    typed = (value or "").strip().upper()
    if jurisdiction == "QC":
        certificate = _QC_CERTIFICATE.match(typed)
        if certificate and re.fullmatch(r"[A-Z0-9]{6,7}", _SEPARATORS.sub("", certificate[1])):
            typed = certificate[1]
    compact = _SEPARATORS.sub("", typed)
    if not _PLATE.match(compact):
        raise ValidationError(
            _("Enter the plate number with letters and digits only, for example ABC123."),
            code="invalid_plate",
        )
    return compact


def plate_match_key(plate: str) -> str:
    """The key cameras and patrol look plates up by: `B0S-123` and `8OS123` -> `805123`."""
    return _SEPARATORS.sub("", plate.upper()).translate(MATCH_KEY_TABLE)
