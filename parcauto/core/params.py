"""Ids, numbers and dates taken from requests: parsed here, once, and bounded.

Query strings, POST values and path fragments that no URL converter checks arrive as
any text at all, and the obvious parsing fails on some of it with a server error:

- `str.isdigit()` is true for "²" and "①", which `int()` refuses (ValueError), and
  `int()` accepts Arabic-Indic and full-width digits and "1_000", which are no
  id anyone typed;
- a 23-digit id overflows SQLite's 64-bit integers (`pk__in=[...]` raises
  OverflowError) and PostgreSQL's bigint;
- a date such as 9999-12-31 is a valid `date`, but one day later is not, and every
  period computed from it raises OverflowError.

So: ASCII digits only, ids within a signed 64-bit integer, dates in ISO form within
2000-2100 unless the caller narrows them. Anything else is None, and the caller decides
what that means: a filter ignored, a link's prefill dropped, a redirect to the step.
Forms use the fields of `core.fields`, which turn None into a translated field error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

MAX_ID = 2**63 - 1  # a bigint: PostgreSQL's and SQLite's largest integer
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_MAX_DIGITS = len(str(MAX_ID))


def ascii_digits(text: str) -> bool:
    """True for "0".."9" only, at least one: what `str.isdigit()` should have meant."""
    return text.isascii() and text.isdigit()


def parse_int(value: object, *, minimum: int, maximum: int) -> int | None:
    """A whole number written in ASCII digits (a leading "-" allowed), within the bounds."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    digits = text.removeprefix("-")
    if not ascii_digits(digits) or len(digits) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def beyond_bigint(value: str) -> bool:
    """A whole number in ASCII digits that no database integer holds (a 23-digit id).

    For values handed to code that is not ours (the admin's list filters): "²" is its
    business, but such a number raises OverflowError in SQLite after it checked it.
    """
    digits = value.strip().removeprefix("-").lstrip("0")
    return ascii_digits(digits or "0") and (
        len(digits) > _MAX_DIGITS or int(digits or "0") > MAX_ID
    )


def parse_id(value: object) -> int | None:
    """A database id (1 to 2**63-1, ASCII digits), or None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def parse_ids(values: Iterable[object]) -> list[int]:
    """The valid ids among `values` (a `getlist`), in order, each once."""
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))


def parse_date(
    value: object, *, first: dt.date = FIRST_DATE, last: dt.date = LAST_DATE
) -> dt.date | None:
    """A date written YYYY-MM-DD that exists and lies within [first, last], or None."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(text := value.strip()):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None
    return day if first <= day <= last else None
