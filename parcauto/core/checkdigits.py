"""The Luhn (mod 10) check digit: card numbers, and numbers people type back to us."""

from __future__ import annotations


def _luhn_sum(digits: str, *, double_first: bool) -> int:
    """Sum of Luhn digits from the right; `double_first` doubles the rightmost one."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if (index % 2 == 0) == double_first:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def luhn_valid(digits: str) -> bool:
    """Whether ASCII `digits` end with their Luhn check digit (`79927398713` is)."""
    return digits.isascii() and digits.isdigit() and _luhn_sum(digits, double_first=False) % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The digit to append to ASCII `digits` so that `luhn_valid` holds."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"digits only, not {digits!r}")
    return str(-_luhn_sum(digits, double_first=True) % 10)
