"""Plates a camera (or a hurried agent) may have misread: the look-alikes of a read plate.

Rule 48 of DOMAIN_RULES: beside the exact plate, patrol and plate cameras look at the
plates the read could have been, each a *possible* match that a person confirms before
any notice. A look-alike of a read is, in this order of likelihood:

- one or two characters swapped for an OCR-confusable one (0/O/D/Q, 1/I/L, 2/Z, 5/S,
  8/B, 6/G): `A8C123` for a read `ABC123` (one edit), `A8C1Z3` (two);
- one character the read dropped (a bolt hid it, dirt): any letter or digit inserted
  anywhere, `ABC1234` or `ABXC123` for a read `ABC123` (one Levenshtein edit).

The candidates are generated, not searched for: the look-up is then one indexed
`credential IN (...)` on the grants' `grant_lookup` index (organization, kind,
credential), which needs no extra column nor a similarity index. Measured on PostgreSQL
15 with 200,000 plate grants and 200,000 pass grants of one institution, on a shared
2-core machine under load: 180 to 330 candidates for 4- to 8-character reads, one index
scan, 0.4 to 1.0 ms warm (15 ms the first time, pages cold). `make bench` measures the
whole check through gunicorn (bench/README.md, *Enforcement*).
"""

from __future__ import annotations

import string
from itertools import combinations, product

from parcauto.vehicles.normalizers import PLATE_MAX_LENGTH, PLATE_MIN_LENGTH

# Characters plate readers confuse, as groups: any one may be read for another of its
# group. Wider than `vehicles.normalizers.MATCH_KEY_TABLE` (L with 1 and I, a letter for
# a letter): these candidates are looked up one by one, not folded into one key.
CONFUSABLE_GROUPS = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G")
MAX_SUBSTITUTIONS = 2
PLATE_ALPHABET = string.ascii_uppercase + string.digits

_LOOKALIKES: dict[str, str] = {
    character: group.replace(character, "") for group in CONFUSABLE_GROUPS for character in group
}


def confusable(a: str, b: str) -> bool:
    """`a` and `b` are distinct characters of one confusable group."""
    return b in _LOOKALIKES.get(a, "")


def _substituted(plate: str) -> dict[str, int]:
    found: dict[str, int] = {}
    positions = [i for i, character in enumerate(plate) if character in _LOOKALIKES]
    for count in range(1, MAX_SUBSTITUTIONS + 1):
        for chosen in combinations(positions, count):
            for replacements in product(*(_LOOKALIKES[plate[i]] for i in chosen)):
                characters = list(plate)
                for i, replacement in zip(chosen, replacements, strict=True):
                    characters[i] = replacement
                found.setdefault("".join(characters), count)
    return found


def _with_one_more(plate: str) -> set[str]:
    if len(plate) >= PLATE_MAX_LENGTH:
        return set()
    return {
        plate[:i] + character + plate[i:]
        for i in range(len(plate) + 1)
        for character in PLATE_ALPHABET
    }


def plate_lookalikes(plate: str) -> dict[str, int]:
    """Every look-alike of a normalised `plate` (module docstring), with its number of
    edits (1 or 2); the plate itself is never one of them."""
    if not PLATE_MIN_LENGTH <= len(plate) <= PLATE_MAX_LENGTH:
        return {}
    found = _substituted(plate)
    for longer in _with_one_more(plate):
        found[longer] = 1  # a longer plate is never a substitution of this one
    found.pop(plate, None)
    return found
