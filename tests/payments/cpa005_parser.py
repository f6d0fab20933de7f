"""A CPA-005 reader written from DOMAIN_RULES.md "2.6 CPA Standard 005", for the tests.

It shares nothing with parcauto.payments.cpa005: positions are copied from the tables
(1-based, both ends included), so a slip in the writer's layout shows up as a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass

LENGTH = 1464


def cut(record: str, first: int, last: int) -> str:
    """Positions `first` to `last` of the tables, both included."""
    return record[first - 1 : last]


@dataclass(frozen=True)
class Header:
    record_count: str
    originator_id: str
    file_creation_number: str
    creation_date: str
    destination_data_centre: str
    reserved: str
    currency: str
    filler: str


@dataclass(frozen=True)
class Segment:
    transaction_code: str
    amount: str
    due_date: str
    institution_and_transit: str
    account: str
    reserved_41_62: str
    reserved_63_65: str
    short_name: str
    payor_name: str
    long_name: str
    originator_id: str
    cross_reference: str
    return_account: str
    sundry: str
    reserved_206_240: str


@dataclass(frozen=True)
class Detail:
    record_type: str
    record_count: str
    originator_id: str
    file_creation_number: str
    segments: list[Segment]
    blank_segments: int


@dataclass(frozen=True)
class Trailer:
    record_count: str
    originator_id: str
    file_creation_number: str
    total_debit_value: str
    total_debit_count: str
    total_credit_value: str
    total_credit_count: str
    filler: str


@dataclass(frozen=True)
class ParsedFile:
    header: Header
    details: list[Detail]
    trailer: Trailer
    records: list[str]


def parse_segment(segment: str) -> Segment:
    assert len(segment) == 240
    return Segment(
        transaction_code=cut(segment, 1, 3),
        amount=cut(segment, 4, 13),
        due_date=cut(segment, 14, 19),
        institution_and_transit=cut(segment, 20, 28),
        account=cut(segment, 29, 40),
        reserved_41_62=cut(segment, 41, 62),
        reserved_63_65=cut(segment, 63, 65),
        short_name=cut(segment, 66, 80),
        payor_name=cut(segment, 81, 110),
        long_name=cut(segment, 111, 140),
        originator_id=cut(segment, 141, 150),
        cross_reference=cut(segment, 151, 169),
        return_account=cut(segment, 170, 190),
        sundry=cut(segment, 191, 205),
        reserved_206_240=cut(segment, 206, 240),
    )


def parse(text: str) -> ParsedFile:
    assert text.endswith("\r\n"), "every record ends with CRLF"
    records = text[: -len("\r\n")].split("\r\n")
    for record in records:
        assert len(record) == LENGTH, f"a record of {len(record)} characters"
    first, *middle, last = records
    assert cut(first, 1, 1) == "A"
    header = Header(
        record_count=cut(first, 2, 10),
        originator_id=cut(first, 11, 20),
        file_creation_number=cut(first, 21, 24),
        creation_date=cut(first, 25, 30),
        destination_data_centre=cut(first, 31, 35),
        reserved=cut(first, 36, 55),
        currency=cut(first, 56, 58),
        filler=cut(first, 59, 1464),
    )
    details = []
    for record in middle:
        # Segments at 25-264, 265-504, ..., 1225-1464.
        raw = [cut(record, 25 + 240 * index, 264 + 240 * index) for index in range(6)]
        used = [segment for segment in raw if segment.strip()]
        assert raw[: len(used)] == used, "the used segments come first"
        details.append(
            Detail(
                record_type=cut(record, 1, 1),
                record_count=cut(record, 2, 10),
                originator_id=cut(record, 11, 20),
                file_creation_number=cut(record, 21, 24),
                segments=[parse_segment(segment) for segment in used],
                blank_segments=6 - len(used),
            )
        )
    assert cut(last, 1, 1) == "Z"
    trailer = Trailer(
        record_count=cut(last, 2, 10),
        originator_id=cut(last, 11, 20),
        file_creation_number=cut(last, 21, 24),
        total_debit_value=cut(last, 25, 38),
        total_debit_count=cut(last, 39, 46),
        total_credit_value=cut(last, 47, 60),
        total_credit_count=cut(last, 61, 68),
        filler=cut(last, 69, 1464),
    )
    return ParsedFile(header, details, trailer, records)
