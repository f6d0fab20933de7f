"""Card numbers in free text: found, so that a message carrying one is refused whole.

Guide 001's form says « Ne transmettez pas votre numéro de carte de crédit dans ce
message » (rule 56): a message that carries one is refused before anything of it is
stored, so no table, file, e-mail or log ever holds it (PCI DSS).

A card number is 13 to 19 digits, typed whole or in groups separated by one space or
one dash, that passes the Luhn check. Windows of whole groups are tried too, so a
number followed by a phone number ("4242 4242 4242 4242 819 555 1234") is still
found. Only numbers that start as the card networks' do (2 to 6: Mastercard's 2-series,
Amex and Diners, Visa, Mastercard, Discover and UnionPay) count: a pair of contract
numbers (they start with 1) is not a card, however its digits add up.
"""

from __future__ import annotations

import re

from parcauto.core.checkdigits import luhn_valid

_RUN = re.compile(r"\d+(?:[ \-]\d+)*")
_GROUP_SEPARATOR = re.compile(r"[ \-]")
_SHORTEST, _LONGEST = 13, 19
_NETWORK_FIRST_DIGITS = frozenset("23456")


def _is_card(digits: str) -> bool:
    return (
        _SHORTEST <= len(digits) <= _LONGEST
        and digits[0] in _NETWORK_FIRST_DIGITS
        and luhn_valid(digits)
    )


def contains_card_number(text: str) -> bool:
    """True when `text` holds a card number, whole or grouped by spaces or dashes."""
    for run in _RUN.finditer(text):
        groups = _GROUP_SEPARATOR.split(run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) > _LONGEST:
                    break
                if _is_card(digits):
                    return True
    return False
