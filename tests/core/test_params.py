"""Request values: ASCII digits only, ids within a bigint, dates ISO and within 2000-2100."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.core.params import (
    MAX_ID,
    ascii_digits,
    beyond_bigint,
    parse_date,
    parse_id,
    parse_ids,
    parse_int,
)

# Each one made a page answer 500, or would have: isdigit() says yes, int() says no.
NOT_DIGITS = [
    "²",
    "①",
    "\u0663",
    "\uff14\uff12",
    "1_000",
    "+1",
    "1.0",
    "1e3",
    "0x1",
    "",
    " ",
    "\x00",
    "½",
]


@pytest.mark.parametrize("text", ["0", "7", "0042", "9" * 30])
def test_ascii_digits_are_0_to_9_only(text):
    assert ascii_digits(text)


@pytest.mark.parametrize("text", NOT_DIGITS)
def test_ascii_digits_refuse_what_isdigit_or_int_accept(text):
    assert not ascii_digits(text)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("42", 42), (" 42 ", 42)])
def test_an_id_is_a_positive_whole_number(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "value", [*NOT_DIGITS, "0", "-1", None, 42, ["1"], "1" * 23, str(MAX_ID + 1), "9" * 5000]
)
def test_anything_else_is_no_id(value):
    assert parse_id(value) is None


def test_the_largest_id_is_the_largest_bigint():
    assert parse_id(str(MAX_ID)) == 2**63 - 1
    assert parse_id(str(MAX_ID + 1)) is None


def test_a_list_of_ids_keeps_the_valid_ones_once_in_order():
    assert parse_ids(["3", "²", "1", "3", "1" * 23, "", "2"]) == [3, 1, 2]


def test_a_number_is_bounded_and_may_be_negative():
    assert parse_int("-5", minimum=-10, maximum=10) == -5
    assert parse_int("11", minimum=-10, maximum=10) is None
    assert parse_int("--5", minimum=-10, maximum=10) is None
    assert parse_int("-²", minimum=-10, maximum=10) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-06-01", dt.date(2026, 6, 1)),
        (" 2026-06-01 ", dt.date(2026, 6, 1)),
        ("2000-01-01", dt.date(2000, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
    ],
)
def test_a_date_is_iso_and_within_2000_2100(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31",
        "0001-01-01",
        "1999-12-31",
        "2101-01-01",
        "2026-02-30",
        "99999-01-01",
        "2026-6-1",
        "20260601",
        "2026-06-01T10:00",
        "\uff12\uff10\uff12\uff16-\uff10\uff16-\uff10\uff11",
        "\u0662\u0660\u0662\u0666-\u0660\u0666-\u0660\u0661",
        "",
        None,
        "x" * 10_000,
    ],
)
def test_anything_else_is_no_date(value):
    assert parse_date(value) is None


def test_a_page_may_narrow_the_dates():
    june = {"first": dt.date(2026, 6, 1), "last": dt.date(2026, 6, 30)}
    assert parse_date("2026-06-30", **june) == dt.date(2026, 6, 30)
    assert parse_date("2026-07-01", **june) is None


@pytest.mark.parametrize(
    ("value", "beyond"),
    [
        ("1" * 23, True),
        (str(MAX_ID + 1), True),
        ("-" + "9" * 30, True),
        ("9" * 5000, True),
        (str(MAX_ID), False),
        ("0" * 30 + "1", False),
        ("0", False),
        ("-1", False),
        ("²", False),  # not a number at all: whoever parses it says so
        ("abc", False),
        ("", False),
    ],
)
def test_beyond_bigint_is_a_number_no_database_integer_holds(value, beyond):
    assert beyond_bigint(value) is beyond
