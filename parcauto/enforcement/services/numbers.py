"""Notice numbers: a sequence with a Luhn check digit, so a mistyped digit is caught.

The number is printed on the notice and typed back on the public payment page; the check
digit turns most typing errors into "not a notice number" before any look-up. Numbers
are unique across institutions (one sequence), nine digits for the first 90 million.
"""

from __future__ import annotations

from parcauto.core.checkdigits import luhn_check_digit, luhn_valid
from parcauto.core.sequences import sequence_next

_SEQUENCE = "enforcement.claim_notice"
_FIRST = 10_000_000
NUMBER_MAX_LENGTH = 12


def notice_number_next() -> str:
    """The next notice number; call it inside the transaction that issues the notice."""
    body = str(sequence_next(name=_SEQUENCE, start=_FIRST))
    return body + luhn_check_digit(body)


def notice_number_clean(typed: str) -> str | None:
    """The number as typed (spaces and dashes allowed) if its check digit holds, else None."""
    compact = "".join(ch for ch in typed if ch not in " -")
    if not 2 <= len(compact) <= NUMBER_MAX_LENGTH or not luhn_valid(compact):
        return None
    return compact
