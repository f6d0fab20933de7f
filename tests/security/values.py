"""What the fuzz test types into fields: the inputs that have broken Django views before."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

# Digits that str.isdigit() accepts and int() refuses, or the reverse, or neither.
UNICODE_DIGITS = [
    "\u00b2",  # superscript two: isdigit() says yes, int() says no
    "\u00b3\u00b9",
    "\u0663",  # Arabic-Indic three: int() reads it
    "\u0661\u0662\u0663",
    "\u06f4\u06f5",  # extended Arabic-Indic
    "\u0966",  # Devanagari zero
    "\u07c1",  # N'Ko one
    "\uff11\uff12",  # full-width one two
    "\U0001d7d8\U0001d7d9",  # mathematical double-struck zero one
    "\u2460",  # circled one
    "\u216b",  # Roman numeral twelve
    "\u00bd",  # one half
    "\u1369",  # Ethiopic one
]
NUMBERS = [
    "9" * 23,  # past 64 bits: OverflowError in SQLite, DataError in PostgreSQL
    "1" + "0" * 22,
    "-" + "9" * 23,
    "-1",
    "-0",
    "0",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "0x1F",
    "1_000",
    " 12 ",
    "12.5",
    "1,5",
    "3.4e38",
]
DATES = [
    "2026-02-30",
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "2026-13-01",
    "2026-00-10",
    "10000-01-01",
    "31/02/2026",
    "2026-02-29",
    "1969-12-31",
    "2026-06-01T25:61:00",
    "\u00b2\u2070\u00b2\u2076-\u2070\u2076-\u2070\u00b9",  # in superscript digits
]
TEXTS = [
    "",
    " ",
    "x" * 10_000,
    "é" * 10_000,
    "a\x00b",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "foo",
    "//evil.example/",
    "javascript:alert(1)",
    "\u202egnp.exe",
    "王小明",
    "🚗" * 50,
    "\r\nSet-Cookie: x=1",
    "%00",
    "{{ 7*7 }}",
]
CATALOGUE = UNICODE_DIGITS + NUMBERS + DATES + TEXTS


def _date(parts: tuple[int, int, int]) -> str:
    return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"


_numbers = st.one_of(
    st.sampled_from(UNICODE_DIGITS + NUMBERS),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=6),
)
_dates = st.one_of(
    st.sampled_from(DATES),
    st.tuples(st.integers(0, 10_000), st.integers(0, 13), st.integers(0, 32)).map(_date),
)
# One value, as a browser (or a script) could send it.
scalars = st.one_of(
    st.sampled_from(CATALOGUE),
    _numbers,
    _dates,
    st.text(st.characters(codec="utf-8"), max_size=40),
)


def _sent(one: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """A field sends one value, or several where one is expected."""
    return st.one_of(one.map(lambda value: [value]), st.lists(one, min_size=2, max_size=3))


# What has broken views before, by what the field holds: each field of each form gets
# every one of its kind once (the sweep), before the generated cases.
POTENT = {
    "number": ["\u00b2", "9" * 23, "-1"],
    "date": ["9999-12-31", "0000-00-00", "2026-02-30"],
    "text": ["\u00b2", "9" * 23, "a\x00b", "x" * 10_000],
}
# What a field gets in the generated cases: for an id, a number or a date field, mostly
# what breaks those.
VALUES = {
    "number": st.one_of(_sent(_numbers), _sent(scalars)),
    "date": st.one_of(_sent(_dates), _sent(scalars)),
    "text": _sent(scalars),
}
_DATE_NAME = re.compile(r"date|day|_from$|_to$|start|end|anchor|published_at_0|expiry")
_NUMBER_NAME = re.compile(
    r"(^|[_-])(id|pk|lot|product|category|vehicule|vehicles?|organization|user|number|page|"
    r"year|capacity|quantity|amount|subscription|invoice|selected_action|select|request)$"
)


def hint(name: str, kind: str = "text", value: str | None = None) -> str:
    """What a field holds, from its input type, its value or its name."""
    if kind in ("date", "datetime-local", "month") or _DATE_NAME.search(name):
        return "date"
    if kind == "number" or (
        kind == "select" and (value or "").isascii() and (value or "").isdigit()
    ):
        return "number"
    return "number" if _NUMBER_NAME.search(name) else "text"


# A file field: any name, any bytes.
uploads = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.one_of(
        st.sampled_from(["releve.pdf", "a\x00b.pdf", "x" * 300 + ".png", "..%2f.pdf"]),
        st.text(st.characters(codec="utf-8", exclude_characters="\x00/"), min_size=1, max_size=30),
    ),
    st.one_of(st.just(b"%PDF-1.4\n%%EOF\n"), st.binary(max_size=64)),
)
