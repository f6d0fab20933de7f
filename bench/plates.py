"""A million Quebec-like plates, the same in Python and in SQL, and the ways cameras misread them.

Plate n (0 <= n < 1,000,000) takes one of four patterns by n mod 10 (L a letter A-Z, D a
digit, other characters as written): ABC123 (4 in 10), 123ABC (3), A12BCD (2) and the
seven-character commercial F plates, FAB1234 (1). Within a pattern, n is scattered over
the pattern's space by a multiplication modulo its size (one-to-one: the multiplier is a
prime that divides none of the sizes), so plates look random, never repeat, and are dense
enough (2-6 % of each space) that OCR look-alikes of a plate exist among the others.
`plate_sql` writes the same function as a SQL expression for INSERT ... SELECT over
generate_series; `bench.enforcement` checks the two agree on a sample.
"""

from __future__ import annotations

import math
import random
import string

# (pattern, tenths of the plates)
FORMATS = (("LLLDDD", 4), ("DDDLLL", 3), ("LDDLLL", 2), ("FLLDDDD", 1))
# What plate cameras and people confuse (the list): a misread swaps within a group.
CONFUSABLE = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G")
_GROUP = {char: group for group in CONFUSABLE for char in group}


def _alphabet(symbol: str) -> str:
    return {"L": string.ascii_uppercase, "D": string.digits}.get(symbol, symbol)


def _next_prime(number: int) -> int:
    while any(number % d == 0 for d in range(2, math.isqrt(number) + 1)):
        number += 1
    return number


def _scramble(pattern: str) -> tuple[int, int, int]:
    """(space, multiplier, shift) of a pattern: the multiplier a prime near the golden
    section of the space (so consecutive plates land far apart), coprime with the space
    (whose factors are 2, 5 and 13)."""
    space = math.prod(len(_alphabet(symbol)) for symbol in pattern)
    return space, _next_prime(int(space * 0.6180339887)), space // 7


SCRAMBLES = {pattern: _scramble(pattern) for pattern, _ in FORMATS}


def _slot(n: int) -> tuple[str, int]:
    """The pattern of plate n and its rank among the plates of that pattern."""
    rest, tens = n % 10, n // 10
    first = 0
    for pattern, share in FORMATS:
        if rest < first + share:
            return pattern, tens * share + rest - first
        first += share
    raise AssertionError("the shares add up to 10")


def plate_of(n: int) -> str:
    pattern, slot = _slot(n)
    alphabets = [_alphabet(symbol) for symbol in pattern]
    space, multiplier, shift = SCRAMBLES[pattern]
    k = (slot * multiplier + shift) % space
    chars = []
    for alphabet in reversed(alphabets):
        chars.append(alphabet[k % len(alphabet)])
        k //= len(alphabet)
    return "".join(reversed(chars))


def plate_sql(n: str) -> str:
    """`plate_of` as a SQL expression of the integer expression `n`."""
    cases, first = [], 0
    for pattern, share in FORMATS:
        alphabets = [_alphabet(symbol) for symbol in pattern]
        sizes = [len(alphabet) for alphabet in alphabets]
        # mod(), not %: the expression goes into statements with parameters.
        slot = f"(({n}) / 10 * {share} + mod({n}, 10) - {first})"
        space, multiplier, shift = SCRAMBLES[pattern]
        k = f"mod(({slot})::bigint * {multiplier} + {shift}, {space})"
        parts = []
        for position, alphabet in enumerate(alphabets):
            if len(alphabet) == 1:
                parts.append(f"'{alphabet}'")
                continue
            below = math.prod(sizes[position + 1 :])
            digit = f"mod(({k}) / {below}, {len(alphabet)})::int"
            parts.append(f"substr('{alphabet}', {digit} + 1, 1)")
        first += share
        cases.append(f"WHEN mod({n}, 10) < {first} THEN {' || '.join(parts)}")
    return f"(CASE {' '.join(cases)} END)"


def misread(plate: str, draw: random.Random) -> str:
    """What a camera may read instead: one confusable character swapped (3 in 5, when the
    plate has one) or one character dropped."""
    swappable = [index for index, char in enumerate(plate) if char in _GROUP]
    if swappable and draw.random() < 0.6:
        index = draw.choice(swappable)
        other = draw.choice([char for char in _GROUP[plate[index]] if char != plate[index]])
        return plate[:index] + other + plate[index + 1 :]
    index = draw.randrange(len(plate))
    return plate[:index] + plate[index + 1 :]


def shown(plate: str, draw: random.Random) -> str:
    """As a device may send it: sometimes with the space printed on the plate."""
    if draw.random() < 0.3 and len(plate) == 6:
        return f"{plate[:3]} {plate[3:]}"
    return plate
