"""The CPA-005 debit file, read back field by field by a parser written from the spec."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcauto.payments.cpa005 import (
    Cpa005Error,
    Debit,
    OriginatorSettings,
    julian,
    plain_ascii,
    write_file,
)

from .cpa005_parser import cut, parse

SETTINGS = OriginatorSettings(
    originator_id="PARCAUTO01",
    short_name="Parc. Québec",
    long_name="Cégep de Sherbrooke",
    destination_data_centre="00310",
    return_institution="815",
    return_transit="30001",
    return_account="1234567",
)
CREATED_ON = dt.date(2026, 6, 10)  # day 161


def _debit(number: int = 1, **changes: object) -> Debit:
    values: dict[str, object] = {
        "amount": Decimal("23.08"),
        "due_on": dt.date(2026, 7, 1),
        "institution": "815",
        "transit": "30001",
        "account": "1234567",
        "payor_name": "Hélène Côté-Lévesque",
        "cross_reference": f"CONTRAT-{number}",
    }
    values.update(changes)
    return Debit(**values)  # type: ignore[arg-type]


def _write(debits: list[Debit], number: int = 42) -> str:
    return write_file(
        settings=SETTINGS, file_creation_number=number, created_on=CREATED_ON, debits=debits
    )


def test_every_record_is_1464_characters_and_ends_with_crlf() -> None:
    text = _write([_debit()])
    records = text.split("\r\n")
    assert records[-1] == ""
    assert [len(record) for record in records[:-1]] == [1464, 1464, 1464]
    assert [record[0] for record in records[:-1]] == ["A", "D", "Z"]
    assert text.isascii()


def test_the_header_carries_every_field_in_its_place() -> None:
    header = parse(_write([_debit()])).header
    assert header.record_count == "000000001"
    assert header.originator_id == "PARCAUTO01"
    assert header.file_creation_number == "0042"
    assert header.creation_date == "026161"
    assert header.destination_data_centre == "00310"
    assert header.reserved == " " * 20
    assert header.currency == "CAD"
    assert header.filler == " " * (1464 - 58)


def test_a_debit_segment_carries_every_field_in_its_place() -> None:
    (detail,) = parse(_write([_debit(amount=Decimal("1234.05"))])).details
    assert (detail.record_type, detail.record_count) == ("D", "000000002")
    assert (detail.originator_id, detail.file_creation_number) == ("PARCAUTO01", "0042")
    assert detail.blank_segments == 5
    (segment,) = detail.segments
    assert segment.transaction_code == "450"
    assert segment.amount == "0000123405"
    assert segment.due_date == "026182"
    assert segment.institution_and_transit == "081530001"
    assert segment.account == "1234567     "
    assert segment.reserved_41_62 == " " * 22
    assert segment.reserved_63_65 == "   "
    assert segment.short_name == "PARC. QUEBEC   "
    assert segment.payor_name == "HELENE COTE-LEVESQUE".ljust(30)
    assert segment.long_name == "CEGEP DE SHERBROOKE".ljust(30)
    assert segment.originator_id == "PARCAUTO01"
    assert segment.cross_reference == "CONTRAT-1".ljust(19)
    assert segment.return_account == "081530001" + "1234567     "
    assert segment.sundry == " " * 15
    assert segment.reserved_206_240 == " " * 35


def test_the_seventh_debit_starts_a_second_d_record() -> None:
    parsed = parse(_write([_debit(number) for number in range(1, 8)]))
    assert [detail.record_count for detail in parsed.details] == ["000000002", "000000003"]
    assert [len(detail.segments) for detail in parsed.details] == [6, 1]
    assert [detail.blank_segments for detail in parsed.details] == [0, 5]
    references = [s.cross_reference.strip() for d in parsed.details for s in d.segments]
    assert references == [f"CONTRAT-{number}" for number in range(1, 8)]
    # The second record's first segment starts at position 25, after the control part.
    assert cut(parsed.records[2], 25, 27) == "450"
    assert cut(parsed.records[2], 265, 1464) == " " * 1200
    assert parsed.trailer.record_count == "000000004"


def test_the_trailer_totals_reconcile_with_the_debits() -> None:
    amounts = [Decimal("23.08"), Decimal("12.31"), Decimal("245.50"), Decimal("0.01")]
    parsed = parse(_write([_debit(n, amount=amount) for n, amount in enumerate(amounts)]))
    trailer = parsed.trailer
    segments = [segment for detail in parsed.details for segment in detail.segments]
    assert trailer.record_count == "000000003"
    assert (trailer.originator_id, trailer.file_creation_number) == ("PARCAUTO01", "0042")
    assert trailer.total_debit_value == "00000000028090"
    assert int(trailer.total_debit_value) == sum(int(s.amount) for s in segments)
    assert trailer.total_debit_count == "00000004"
    assert trailer.total_credit_value == "0" * 14
    assert trailer.total_credit_count == "0" * 8
    assert trailer.filler == " " * (1464 - 68)


@given(
    st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
        min_size=1,
        max_size=20,
    )
)
def test_any_batch_reconciles_and_keeps_its_shape(amounts: list[Decimal]) -> None:
    parsed = parse(_write([_debit(n, amount=amount) for n, amount in enumerate(amounts)]))
    segments = [segment for detail in parsed.details for segment in detail.segments]
    assert [Decimal(int(s.amount)) / 100 for s in segments] == amounts
    assert int(parsed.trailer.total_debit_value) == sum(int(s.amount) for s in segments)
    assert int(parsed.trailer.total_debit_count) == len(amounts)
    assert len(parsed.details) == (len(amounts) + 5) // 6
    counts = [parsed.header.record_count] + [d.record_count for d in parsed.details]
    assert [int(count) for count in [*counts, parsed.trailer.record_count]] == list(
        range(1, len(parsed.records) + 1)
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 1), "026001"),
        (dt.date(2026, 6, 10), "026161"),
        (dt.date(2028, 12, 31), "028366"),
        (dt.date(2030, 2, 1), "030032"),
    ],
)
def test_dates_are_julian(day: dt.date, expected: str) -> None:
    assert julian(day) == expected


def test_text_is_upper_case_ascii_without_accents() -> None:
    assert plain_ascii("Québec") == "QUEBEC"
    assert plain_ascii("  Françoise   Lœuvre\u00a0Dussault ") == "FRANCOISE LOEUVRE DUSSAULT"
    assert plain_ascii("L\u2019Île-Perrot") == "L'ILE-PERROT"
    assert plain_ascii("Ελένη 😀 Roy") == "ROY"


def test_a_long_payor_name_is_cut_to_thirty_characters() -> None:
    name = "Marie-Ève Beauchemin-Desrochers de la Montagne"
    (detail,) = parse(_write([_debit(payor_name=name)])).details
    assert detail.segments[0].payor_name == "MARIE-EVE BEAUCHEMIN-DESROCHER"


def test_the_account_is_left_justified_in_twelve() -> None:
    (detail,) = parse(_write([_debit(account="123456789012")])).details
    assert detail.segments[0].account == "123456789012"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"institution": "81"}, "institution must be 3 digits"),
        ({"institution": "8150"}, "institution must be 3 digits"),
        ({"transit": "3000A"}, "transit must be 5 digits"),
        ({"account": "123456"}, "account must be 7-12 digits"),
        ({"account": "1234567890123"}, "account must be 7-12 digits"),
        ({"account": "12345-678"}, "account must be 7-12 digits"),
        # Full-width digits pass str.isdigit() but are not ASCII.
        ({"account": "\uff11" * 7}, "account must be 7-12 digits"),
        ({"amount": Decimal("0.00")}, "more than zero"),
        ({"amount": Decimal("-5.00")}, "more than zero"),
        ({"amount": Decimal("1.005")}, "whole cents"),
        ({"amount": Decimal("100000000.00")}, "10 digits of cents"),
        ({"cross_reference": "X" * 20}, "cross_reference is longer than 19"),
        ({"cross_reference": "  "}, "cross_reference is empty"),
        ({"payor_name": "  "}, "payor_name is empty"),
    ],
)
def test_it_refuses_a_debit_the_bank_would_reject(changes: dict[str, object], message: str) -> None:
    with pytest.raises(Cpa005Error, match=message):
        _debit(**changes)


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(TypeError, match="Decimal, not float"):
        _debit(amount=23.08)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"originator_id": "PARCAUTO1"}, "originator_id must be 10"),
        ({"short_name": "Stationnement Québec"}, "short_name is longer than 15"),
        ({"long_name": "X" * 31}, "long_name is longer than 30"),
        ({"destination_data_centre": "310"}, "destination_data_centre must be 5 digits"),
        ({"return_account": "123"}, "return_account must be 7-12 digits"),
        ({"transaction_code": "45"}, "transaction_code must be 3 digits"),
        ({"currency": "EUR"}, "currency must be CAD or USD"),
    ],
)
def test_it_refuses_originator_settings_the_bank_would_reject(
    changes: dict[str, str], message: str
) -> None:
    with pytest.raises(Cpa005Error, match=message):
        dataclasses.replace(SETTINGS, **changes)


@pytest.mark.parametrize("number", [0, 10000, -1])
def test_the_file_creation_number_runs_from_1_to_9999(number: int) -> None:
    with pytest.raises(Cpa005Error, match="file_creation_number must be 1-9999"):
        _write([_debit()], number=number)


def test_the_largest_file_creation_number_fits() -> None:
    assert parse(_write([_debit()], number=9999)).trailer.file_creation_number == "9999"


def test_a_file_without_debits_is_refused() -> None:
    with pytest.raises(Cpa005Error, match="at least one debit"):
        _write([])
