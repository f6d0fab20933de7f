"""CPA Standard 005 pre-authorized debit file (1464-character records), as banks take it.

A file is one A header, D debit records holding up to six 240-character segments (one
per debit) and one Z trailer; positions are DOMAIN_RULES.md "2.6 CPA Standard 005".
Every record is exactly 1464 characters and ends with CRLF. The record count runs from
1 (the header) to the trailer's own number. Dates are 0YYDDD (Julian: 2026-06-15 is
026166); numbers are zero-padded on the left; text is upper-case plain ASCII ("Québec"
-> "QUEBEC"), left-justified and space-padded; reserved positions and unused segments
are blank. Only the payor name is cut to its width (a long name is not an error);
every other value that does not fit is refused with Cpa005Error, which names the field
(never its value: an account number must not reach a log or a screen). `text_refused`
says which characters of a text the file cannot carry, for forms to refuse them first.

Trailer Z (the common CPA-005 layout, which DOMAIN_RULES.md lists without detail):

    1       "Z"
    2-10    record count (this record's number: the number of records in the file)
    11-20   originator ID
    21-24   file creation number
    25-38   total value of the debits, in cents (14)
    39-46   number of debits (8)
    47-60   total value of the credits, in cents (14): zeros, this file has none
    61-68   number of credits (8): zeros
    69-1464 blank

Banks differ (routing header line, zeros rather than blanks in reserved fields, date
windows such as "at most 30 days past, 173 days ahead"): check a new bank's own spec.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

RECORD_LENGTH = 1464
SEGMENT_LENGTH = 240
SEGMENTS_PER_RECORD = 6
_CONTROL_LENGTH = 24
_MAX_AMOUNT_CENTS = 10**10 - 1  # ten digits
# Latin letters NFKD does not decompose, and typographic quotes and dashes (by code point).
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l"}
    | {"Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "\u0131": "i"}
    | dict.fromkeys(["\u2018", "\u2019"], "'")
    | dict.fromkeys(["\u201c", "\u201d", "\u00ab", "\u00bb"], '"')
    | dict.fromkeys(["\u2013", "\u2014"], "-")
)


class Cpa005Error(ValueError):
    """A value the file cannot carry; the message and `field` name the field."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _carried(char: str) -> bool:
    return " " <= char <= "~" or char.isspace()


def plain_ascii(text: str) -> str:
    """Upper-case printable ASCII, accents removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    kept = "".join(char for char in decomposed if _carried(char))
    return " ".join(kept.split()).upper()


def text_refused(text: str) -> list[str]:
    """The characters of `text` that `plain_ascii` would drop rather than transliterate.

    An accent goes (`é` is carried as `E`); a letter of another script, a symbol or an
    emoji has no ASCII form and would vanish from the file. Each is listed once, in order.
    """
    refused: dict[str, None] = {}
    for char in text:
        decomposed = unicodedata.normalize("NFKD", char.translate(_LIGATURES))
        if not all(_carried(part) or unicodedata.combining(part) for part in decomposed):
            refused[char] = None
    return list(refused)


def julian(day: dt.date) -> str:
    """0YYDDD: a zero, the year's last two digits, the day of the year."""
    return f"0{day:%y}{day.timetuple().tm_yday:03d}"


def _digits(value: str, field: str, lengths: range) -> str:
    if not (value.isascii() and value.isdigit() and len(value) in lengths):
        size = str(lengths.start) if len(lengths) == 1 else f"{lengths.start}-{lengths.stop - 1}"
        raise Cpa005Error(f"{field} must be {size} digits (ASCII)", field=field)
    return value


def _number(value: int, width: int, field: str) -> str:
    if not 0 <= value < 10**width:
        raise Cpa005Error(f"{field} does not fit in {width} digits: {value}", field=field)
    return str(value).zfill(width)


def _text(value: str, width: int, field: str, *, cut: bool = False) -> str:
    text = plain_ascii(value)
    if len(text) > width and not cut:
        raise Cpa005Error(f"{field} is longer than {width} characters: {text!r}", field=field)
    return text[:width].ljust(width)


@dataclass(frozen=True)
class OriginatorSettings:
    """What the bank assigned to the institution, and where returned items go."""

    originator_id: str  # 10 letters or digits
    short_name: str  # 15, shown on the payor's statement
    long_name: str  # 30
    destination_data_centre: str  # 5 digits
    return_institution: str  # 3 digits
    return_transit: str  # 5 digits
    return_account: str  # 7-12 digits
    currency: str = "CAD"
    transaction_code: str = "450"  # miscellaneous payments

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z0-9]{10}", self.originator_id):
            raise Cpa005Error(
                f"originator_id must be 10 letters or digits: {self.originator_id!r}",
                field="originator_id",
            )
        _text(self.short_name, 15, "short_name")
        _text(self.long_name, 30, "long_name")
        _digits(self.destination_data_centre, "destination_data_centre", range(5, 6))
        _digits(self.return_institution, "return_institution", range(3, 4))
        _digits(self.return_transit, "return_transit", range(5, 6))
        _digits(self.return_account, "return_account", range(7, 13))
        _digits(self.transaction_code, "transaction_code", range(3, 4))
        if self.currency not in ("CAD", "USD"):
            raise Cpa005Error(
                f"currency must be CAD or USD, not {self.currency!r}", field="currency"
            )


@dataclass(frozen=True)
class Debit:
    """One pre-authorized debit of a payor's account (rule 32 for the bank numbers)."""

    amount: Decimal  # tax-included, in dollars and cents
    due_on: dt.date
    institution: str  # 3 digits
    transit: str  # 5 digits
    account: str  # 7-12 digits
    payor_name: str  # cut to 30
    cross_reference: str  # 19 at most: how a return is matched to its charge
    sundry: str = ""  # 15 at most

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"amount must be a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite() or self.amount <= 0:
            raise Cpa005Error(f"amount must be more than zero: {self.amount}", field="amount")
        if self.amount != self.amount.quantize(Decimal("0.01")):
            raise Cpa005Error(f"amount must be in whole cents: {self.amount}", field="amount")
        if self.cents > _MAX_AMOUNT_CENTS:
            raise Cpa005Error(
                f"amount does not fit in 10 digits of cents: {self.amount}", field="amount"
            )
        _digits(self.institution, "institution", range(3, 4))
        _digits(self.transit, "transit", range(5, 6))
        _digits(self.account, "account", range(7, 13))
        if not plain_ascii(self.payor_name):
            raise Cpa005Error("payor_name is empty", field="payor_name")
        if not plain_ascii(self.cross_reference):
            raise Cpa005Error("cross_reference is empty", field="cross_reference")
        _text(self.cross_reference, 19, "cross_reference")
        _text(self.sundry, 15, "sundry")

    @property
    def cents(self) -> int:
        return int(self.amount * 100)


def _segment(settings: OriginatorSettings, debit: Debit) -> str:
    segment = "".join(
        [
            settings.transaction_code,
            _number(debit.cents, 10, "amount"),
            julian(debit.due_on),
            f"0{debit.institution}{debit.transit}",
            debit.account.ljust(12),
            " " * 22,  # reserved (item trace number, for the bank)
            " " * 3,  # reserved
            _text(settings.short_name, 15, "short_name"),
            _text(debit.payor_name, 30, "payor_name", cut=True),
            _text(settings.long_name, 30, "long_name"),
            settings.originator_id,
            _text(debit.cross_reference, 19, "cross_reference"),
            f"0{settings.return_institution}{settings.return_transit}",
            settings.return_account.ljust(12),
            _text(debit.sundry, 15, "sundry"),
            " " * 35,  # reserved
        ]
    )
    if len(segment) != SEGMENT_LENGTH:  # a layout bug: never send such a file
        raise Cpa005Error(
            f"segment is {len(segment)} characters, not {SEGMENT_LENGTH}", field="segment"
        )
    return segment


def _record(body: str) -> str:
    if len(body) > RECORD_LENGTH:
        raise Cpa005Error(
            f"record is {len(body)} characters, more than {RECORD_LENGTH}", field="record"
        )
    return body.ljust(RECORD_LENGTH)


def write_file(
    *,
    settings: OriginatorSettings,
    file_creation_number: int,
    created_on: dt.date,
    debits: list[Debit],
) -> str:
    """The whole file: A, D records of up to six debits each, Z; CRLF after each record.

    `file_creation_number` must be one more than the previous file's (the caller keeps
    it, e.g. with core.sequences.sequence_next), from 1 to 9999.
    """
    if not 1 <= file_creation_number <= 9999:
        raise Cpa005Error(
            f"file_creation_number must be 1-9999, not {file_creation_number}",
            field="file_creation_number",
        )
    if not debits:
        raise Cpa005Error("a file needs at least one debit", field="debits")
    file_number = _number(file_creation_number, 4, "file_creation_number")

    def control(kind: str, count: int) -> str:
        return f"{kind}{_number(count, 9, 'record count')}{settings.originator_id}{file_number}"

    records = [
        _record(
            control("A", 1)
            + julian(created_on)
            + settings.destination_data_centre
            + " " * 20
            + settings.currency
        )
    ]
    for first in range(0, len(debits), SEGMENTS_PER_RECORD):
        chunk = debits[first : first + SEGMENTS_PER_RECORD]
        segments = "".join(_segment(settings, debit) for debit in chunk)
        records.append(_record(control("D", len(records) + 1) + segments))
    total = sum(debit.cents for debit in debits)
    records.append(
        _record(
            control("Z", len(records) + 1)
            + _number(total, 14, "total value of debits")
            + _number(len(debits), 8, "number of debits")
            + "0" * 14
            + "0" * 8
        )
    )
    return "".join(f"{record}\r\n" for record in records)


# What some banks put before the A record (DOMAIN_RULES 2.6); the rest is the standard.
BANK_PROFILES = {"standard": "", "rbc": "$$AAPACPA1464[PROD[NL$$\r\n"}
