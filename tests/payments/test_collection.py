"""The CPA-005 file built from real invoices, read back by the independent parser;
returned debits; settlement; one file per institution and date, whatever the retries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice
from parcauto.billing.services.collect_pad import (
    pad_collect,
    pad_returns_import,
    pad_settle_unreturned,
)
from parcauto.payments.business_days import business_days_before
from parcauto.payments.errors import CollectionError
from parcauto.payments.models import CollectionFile, PadOriginator, PaymentAttempt, PaymentMethod
from parcauto.payments.services.pad import pad_agreement_revoke, pad_method_record

from .conftest import NOW, PDF_BYTES, upload
from .cpa005_parser import parse
from .factories import (
    COLLECTION_DATE,
    contract_make,
    invoice_make,
    originator_make,
    pad_agreement_make,
    pad_contract_make,
)

COLLECTED_AT = dt.datetime(2026, 6, 30, 3, 0, tzinfo=dt.UTC)  # 29 June in Quebec: day 180


@pytest.fixture
def institution(organization):
    pad_agreement_make(organization)
    originator_make(organization)
    return organization


@pytest.fixture
def two_invoices(institution):
    helene = pad_contract_make(
        institution, first_name="Hélène", last_name="Côté-Lévesque", account="123456789012"
    )
    marc = pad_contract_make(
        institution,
        first_name="Marc",
        last_name="Roy",
        account="7654321",
        price=Decimal("1234.05"),
    )
    return [
        invoice_make(helene, due=COLLECTION_DATE),
        invoice_make(marc, due=dt.date(2026, 6, 25)),
    ]


def _read(collection: CollectionFile) -> str:
    with collection.file.open("rb") as stored:
        return stored.read().decode("ascii")


def test_the_file_carries_each_due_invoice_field_by_field(two_invoices) -> None:
    helene, marc = two_invoices
    collection = pad_collect(
        organization=helene.organization, collection_date=COLLECTION_DATE, now=COLLECTED_AT
    )
    assert collection is not None
    assert collection.kind == CollectionFile.Kind.CPA005
    assert (collection.file_number, collection.record_count) == (1, 2)
    assert collection.total_amount == Decimal("1257.13")
    assert collection.file.name.startswith(f"private/collection/{helene.organization_id}/")
    parsed = parse(_read(collection))
    assert [len(record) for record in parsed.records] == [1464, 1464, 1464]
    header = parsed.header
    assert (header.record_count, header.originator_id) == ("000000001", "PARCAUTO01")
    assert header.file_creation_number == "0001"
    assert header.creation_date == "026180"  # created 29 June, Quebec time
    assert (header.destination_data_centre, header.currency) == ("81510", "CAD")
    (detail,) = parsed.details
    assert (detail.record_type, detail.record_count, detail.blank_segments) == ("D", "000000002", 4)
    # Oldest due date first: Marc (25 June) then Hélène.
    first, second = detail.segments
    assert first.transaction_code == "450"
    assert first.amount == "0000123405"
    assert first.due_date == "026182"
    assert first.institution_and_transit == "081530001"
    assert first.account == "7654321     "
    assert first.payor_name == "MARC ROY".ljust(30)
    assert first.short_name == "STAT. CHUS     "
    assert first.long_name == "CIUSSS DE L'ESTRIE - CHUS".ljust(30)
    assert first.originator_id == "PARCAUTO01"
    assert first.cross_reference == f"PAD{marc.number}-1".ljust(19)
    assert first.return_account == "081530001" + "7654321     "
    assert second.amount == "0000002308"
    assert second.account == "123456789012"
    assert second.payor_name == "HELENE COTE-LEVESQUE".ljust(30)
    assert second.cross_reference == f"PAD{helene.number}-1".ljust(19)
    trailer = parsed.trailer
    assert trailer.record_count == "000000003"
    assert trailer.file_creation_number == "0001"
    assert trailer.total_debit_value == "00000000125713"
    assert int(trailer.total_debit_value) == int(first.amount) + int(second.amount)
    assert trailer.total_debit_count == "00000002"
    assert (trailer.total_credit_value, trailer.total_credit_count) == ("0" * 14, "0" * 8)
    # One SENT attempt per debit, its order id the file's cross-reference.
    attempts = list(PaymentAttempt.objects.order_by("amount"))
    assert [(a.order_id, a.kind, a.status, a.amount, a.collection_file_id) for a in attempts] == [
        (f"PAD{helene.number}-1", "pad_debit", "sent", Decimal("23.08"), collection.pk),
        (f"PAD{marc.number}-1", "pad_debit", "sent", Decimal("1234.05"), collection.pk),
    ]
    assert AuditEvent.objects.filter(action="payments.cpa005_file_created").count() == 1


def test_a_second_call_for_the_date_creates_nothing(two_invoices) -> None:
    organization = two_invoices[0].organization
    first = pad_collect(organization=organization, collection_date=COLLECTION_DATE, now=NOW)
    invoice_make(two_invoices[0].subscription, due=dt.date(2026, 6, 1))  # late arrival
    again = pad_collect(organization=organization, collection_date=COLLECTION_DATE, now=NOW)
    assert first is not None
    assert again is None
    assert list(CollectionFile.objects.all()) == [first]
    assert PaymentAttempt.objects.count() == 2
    assert PadOriginator.objects.get(organization=organization).last_file_number == 1


def test_the_file_number_goes_up_by_one_and_a_sent_invoice_is_not_sent_again(two_invoices) -> None:
    organization = two_invoices[0].organization
    first = pad_collect(organization=organization, collection_date=COLLECTION_DATE, now=NOW)
    later = invoice_make(two_invoices[0].subscription, due=dt.date(2026, 8, 1))
    second = pad_collect(organization=organization, collection_date=dt.date(2026, 8, 1), now=NOW)
    assert first is not None and second is not None
    parsed = parse(_read(second))
    assert parsed.header.file_creation_number == "0002"
    assert parsed.trailer.file_creation_number == "0002"
    references = [s.cross_reference.strip() for d in parsed.details for s in d.segments]
    assert references == [f"PAD{later.number}-1"]


def test_the_file_number_after_9999_is_1(two_invoices) -> None:
    organization = two_invoices[0].organization
    PadOriginator.objects.filter(organization=organization).update(last_file_number=9999)
    collection = pad_collect(organization=organization, collection_date=COLLECTION_DATE, now=NOW)
    assert collection is not None
    assert parse(_read(collection)).header.file_creation_number == "0001"


def test_a_debit_waits_10_days_after_its_confirmation(institution) -> None:
    # Confirmed 25 June: the first debit may be drawn on 5 July, not with the 1 July file.
    late = pad_contract_make(
        institution,
        first_name="Luc",
        last_name="Roy",
        account="1111111",
        confirmed_at=dt.datetime(2026, 6, 25, 12, 0, tzinfo=dt.UTC),
        first_debit_on=dt.date(2026, 7, 5),
    )
    invoice_make(late, due=COLLECTION_DATE)
    assert pad_collect(organization=institution, collection_date=COLLECTION_DATE, now=NOW) is None
    assert (
        pad_collect(organization=institution, collection_date=dt.date(2026, 7, 4), now=NOW) is None
    )
    assert not PaymentAttempt.objects.exists()
    collection = pad_collect(organization=institution, collection_date=dt.date(2026, 7, 5), now=NOW)
    assert collection is not None
    assert collection.record_count == 1


def test_an_account_whose_confirmation_was_not_sent_is_not_debited(institution) -> None:
    contract = contract_make(institution)
    pad_method_record(
        subscription=contract,
        institution="815",
        transit="30001",
        account="3333333",
        holder_name="Ana Roy",
        holder_kind=PaymentMethod.HolderKind.BUSINESS,
        cheque_file=upload("specimen.pdf", PDF_BYTES),
        agreement_accepted=True,
        now=NOW,
    )
    invoice_make(contract, due=COLLECTION_DATE)
    assert pad_collect(organization=institution, collection_date=COLLECTION_DATE, now=NOW) is None
    assert not CollectionFile.objects.exists()


def test_only_due_pad_invoices_of_the_institution_are_collected(
    institution, other_organization
) -> None:
    contract = pad_contract_make(institution, first_name="Ana", last_name="Roy", account="2222222")
    invoice_make(contract, due=dt.date(2026, 7, 2))  # due after the collection date
    invoice_make(contract, due=dt.date(2026, 6, 1), status=Invoice.Status.PAID)
    invoice_make(contract, due=dt.date(2026, 5, 1), status=Invoice.Status.SCHEDULED)
    card = contract_make(institution, payment_method="card")
    invoice_make(card, due=COLLECTION_DATE)
    assert pad_collect(organization=institution, collection_date=COLLECTION_DATE, now=NOW) is None
    assert (
        pad_collect(organization=other_organization, collection_date=COLLECTION_DATE, now=NOW)
        is None
    )
    assert not CollectionFile.objects.exists()


def test_an_institution_with_a_routing_line_gets_it_before_the_header(two_invoices) -> None:
    organization = two_invoices[0].organization
    PadOriginator.objects.filter(organization=organization).update(bank_profile="rbc")
    collection = pad_collect(organization=organization, collection_date=COLLECTION_DATE, now=NOW)
    assert collection is not None
    routing, rest = _read(collection).split("\r\n", 1)
    assert routing == "$$AAPACPA1464[PROD[NL$$"
    assert parse(rest).trailer.total_debit_count == "00000002"


def _collected(two_invoices):
    organization = two_invoices[0].organization
    pad_collect(organization=organization, collection_date=COLLECTION_DATE, now=NOW)
    return organization


def test_a_returned_debit_fails_its_invoice_once(two_invoices) -> None:
    organization = _collected(two_invoices)
    helene, marc = two_invoices
    report = f"cross_reference,amount,reason_code\r\nPAD{helene.number}-1,23.08,901\r\n"
    assert pad_returns_import(organization=organization, content=report, now=NOW) == 1
    attempt = PaymentAttempt.objects.get(invoice=helene)
    assert (attempt.status, attempt.response_code) == ("returned", "901")
    assert attempt.message == "NSF (debit only)"
    helene.refresh_from_db()
    assert (helene.status, helene.failed_attempts) == (Invoice.Status.FAILED, 1)
    assert PaymentAttempt.objects.get(invoice=marc).status == "sent"
    assert AuditEvent.objects.filter(action="payments.pad_debit_returned").count() == 1
    # The same report again: nothing new.
    assert pad_returns_import(organization=organization, content=report, now=NOW) == 0
    helene.refresh_from_db()
    assert helene.failed_attempts == 1


def test_a_returned_invoice_due_again_goes_in_a_later_file(two_invoices) -> None:
    organization = _collected(two_invoices)
    helene = two_invoices[0]
    report = f"cross_reference,amount,reason_code\nPAD{helene.number}-1,23.08,901\n"
    pad_returns_import(organization=organization, content=report, now=NOW)
    helene.refresh_from_db()
    # The default policy's first retry: 3 days after the 1 July due date.
    assert helene.next_attempt_on == dt.date(2026, 7, 4)
    assert (
        pad_collect(organization=organization, collection_date=dt.date(2026, 7, 3), now=NOW) is None
    )
    retry = pad_collect(organization=organization, collection_date=dt.date(2026, 7, 6), now=NOW)
    assert retry is not None
    (segment,) = parse(_read(retry)).details[0].segments
    assert segment.cross_reference.strip() == f"PAD{helene.number}-2"


@pytest.mark.parametrize(
    ("report", "code", "message"),
    [
        ("reference,amount\nX,1.00\n", "returns_header", "cross_reference,amount,reason_code"),
        ("cross_reference,amount,reason_code\nPAD1-1,abc,901\n", "returns_unreadable", ": 2."),
        # Each of these raised (a 500 on the upload page) or reached the database as is.
        ("cross_reference,amount,reason_code\nPAD1-1,NaN,901\n", "returns_unreadable", ": 2."),
        ("cross_reference,amount,reason_code\nPAD1-1,sNaN,901\n", "returns_unreadable", ": 2."),
        ("cross_reference,amount,reason_code\nPAD1-1,Infinity,901\n", "returns_unreadable", ": 2."),
        ("cross_reference,amount,reason_code\nPAD1-1,23.08,9²1\n", "returns_unreadable", ": 2."),
        (
            "cross_reference,amount,reason_code\nPAD1\x00-1,23.08,901\n",
            "returns_unreadable",
            ": 2.",
        ),
        ("cross_reference,amount,reason_code\nPAD1-1,23.08,901\n", "returns_unmatched", ": 2."),
    ],
)
def test_a_report_that_does_not_match_is_refused_whole(two_invoices, report, code, message) -> None:
    organization = _collected(two_invoices)
    helene = two_invoices[0]
    good = f"\nPAD{helene.number}-1,23.08,901\n"
    with pytest.raises(CollectionError) as refused:
        pad_returns_import(organization=organization, content=report + good, now=NOW)
    assert refused.value.code == code
    assert message in str(refused.value)
    assert not PaymentAttempt.objects.filter(status="returned").exists()
    helene.refresh_from_db()
    assert helene.status == Invoice.Status.DUE


def test_a_wrong_amount_is_refused(two_invoices) -> None:
    organization = _collected(two_invoices)
    report = f"cross_reference,amount,reason_code\nPAD{two_invoices[0].number}-1,23.09,901\n"
    with pytest.raises(CollectionError) as refused:
        pad_returns_import(organization=organization, content=report, now=NOW)
    assert (refused.value.code, str(refused.value)[-5:]) == ("returns_unmatched", "\u00a0: 2.")
    assert not PaymentAttempt.objects.filter(status="returned").exists()


def test_another_institution_cannot_return_these_debits(two_invoices, other_organization) -> None:
    _collected(two_invoices)
    report = f"cross_reference,amount,reason_code\nPAD{two_invoices[0].number}-1,23.08,901\n"
    with pytest.raises(CollectionError) as refused:
        pad_returns_import(organization=other_organization, content=report, now=NOW)
    assert refused.value.code == "returns_unmatched"
    assert not PaymentAttempt.objects.filter(status="returned").exists()


def test_business_days_skip_weekends_and_holidays() -> None:
    # Wednesday 8 July 2026, 5 business days back: Canada Day (1 July) does not count.
    assert business_days_before(dt.date(2026, 7, 8), 5) == dt.date(2026, 6, 30)
    # Monday 6 July, 1 business day back: Friday 3 July.
    assert business_days_before(dt.date(2026, 7, 6), 1) == dt.date(2026, 7, 3)


def test_debits_not_returned_after_the_delay_are_paid(two_invoices) -> None:
    organization = _collected(two_invoices)
    helene, marc = two_invoices
    assert pad_settle_unreturned(organization=organization, as_of=dt.date(2026, 7, 7), now=NOW) == 0
    assert PaymentAttempt.objects.filter(status="sent").count() == 2
    assert pad_settle_unreturned(organization=organization, as_of=dt.date(2026, 7, 8), now=NOW) == 2
    for invoice in (helene, marc):
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID
        assert invoice.amount_paid == invoice.amount
        assert invoice.paid_at == NOW
    assert set(PaymentAttempt.objects.values_list("status", flat=True)) == {"approved"}
    # A second run settles nothing more.
    assert pad_settle_unreturned(organization=organization, as_of=dt.date(2026, 7, 9), now=NOW) == 0


def test_a_late_return_takes_the_payment_back(two_invoices) -> None:
    organization = _collected(two_invoices)
    helene = two_invoices[0]
    pad_settle_unreturned(organization=organization, as_of=dt.date(2026, 7, 8), now=NOW)
    report = f"cross_reference,amount,reason_code\nPAD{helene.number}-1,23.08,917\n"
    assert pad_returns_import(organization=organization, content=report, now=NOW) == 1
    helene.refresh_from_db()
    assert (helene.status, helene.amount_paid, helene.paid_at) == (
        Invoice.Status.FAILED,
        Decimal("0.00"),
        None,
    )


def test_a_revoked_agreement_is_not_debited_again(two_invoices) -> None:
    helene, marc = two_invoices
    method = PaymentMethod.objects.get(subscription=helene.subscription, status="active")
    revoked = pad_agreement_revoke(payment_method=method, actor=None, now=NOW)
    pad_agreement_revoke(payment_method=method, actor=None, now=NOW)
    assert (revoked.status, revoked.revoked_at) == (PaymentMethod.Status.REVOKED, NOW)
    assert AuditEvent.objects.filter(action="payments.pad_revoked").count() == 1
    collection = pad_collect(
        organization=helene.organization, collection_date=COLLECTION_DATE, now=NOW
    )
    assert collection is not None
    assert list(PaymentAttempt.objects.values_list("invoice_id", flat=True)) == [marc.pk]
