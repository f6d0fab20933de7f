"""Recording a bank account for pre-authorized debit, and the notices of rules 27-28."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from parcauto.billing.services.collect_pad import pad_confirmation_send
from parcauto.catalog.models import PaymentMethodKind
from parcauto.notifications.models import OutboundEmail
from parcauto.payments import crypto
from parcauto.payments.models import PaymentMethod
from parcauto.payments.services.pad import (
    PadError,
    pad_amount_change_notice,
    pad_first_debit_earliest,
    pad_method_record,
)
from parcauto.subscriptions.errors import FieldErrors

from .conftest import EXE_BYTES, NOW, PDF_BYTES, PNG_BYTES, upload
from .factories import contract_make, pad_agreement_make

ACCOUNT = "123456789012"


@pytest.fixture
def contract(organization):
    pad_agreement_make(organization)
    return contract_make(organization)


def _record(contract, **changes):
    values = {
        "subscription": contract,
        "institution": "815",
        "transit": "30001",
        "account": ACCOUNT,
        "holder_name": "Hélène Côté",
        "holder_kind": PaymentMethod.HolderKind.PERSONAL,
        "cheque_file": upload("specimen.pdf", PDF_BYTES),
        "agreement_accepted": True,
        "now": NOW,
    }
    values.update(changes)
    return pad_method_record(**values)


def test_the_account_is_kept_encrypted_with_its_agreement(contract) -> None:
    method = _record(contract, account="1234-5678 9012", transit="30 001")
    method.refresh_from_db()
    assert method.kind == PaymentMethodKind.PAD
    assert method.status == PaymentMethod.Status.PENDING
    assert (method.bank_institution, method.bank_transit) == ("815", "30001")
    assert method.bank_account_last_digits == "9012"
    assert crypto.bank_account_decrypt(method.bank_account_encrypted) == ACCOUNT
    assert method.pad_agreement is not None
    assert method.pad_agreement.version == 1
    assert method.pad_agreement_accepted_at == NOW
    assert str(method) == "815-30001 •••• 9012"


def test_the_account_number_appears_nowhere_in_the_database_row(contract) -> None:
    method = _record(contract)
    table = PaymentMethod._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [method.pk])  # noqa: S608
        row = cursor.fetchone()
    assert row is not None
    assert not any(ACCOUNT in str(value) for value in row)
    assert any(str(value) == "9012" for value in row)  # only the last digits, for display


def test_the_latest_agreement_version_is_the_one_accepted(contract, organization) -> None:
    pad_agreement_make(organization, version=2)
    assert _record(contract).pad_agreement.version == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"institution": "81"}, "institution"),
        ({"institution": "8150"}, "institution"),
        ({"transit": "3000A"}, "transit"),
        ({"transit": "300011"}, "transit"),
        ({"account": "123456"}, "account"),
        ({"account": "1234567890123"}, "account"),
        ({"account": "\uff11" * 7}, "account"),  # full-width digits
        ({"holder_name": "  "}, "holder_name"),
        ({"holder_name": "X" * 31}, "holder_name"),
        ({"holder_kind": "other"}, "holder_kind"),
        ({"cheque_file": None}, "cheque_file"),
        ({"agreement_accepted": False}, "agreement_accepted"),
    ],
)
def test_a_refused_field_is_named_and_nothing_is_kept(contract, changes, field) -> None:
    with pytest.raises(FieldErrors) as refused:
        _record(contract, **changes)
    assert list(refused.value.errors) == [field]
    assert not PaymentMethod.objects.exists()


def test_every_refused_field_is_reported_at_once(contract) -> None:
    with pytest.raises(FieldErrors) as refused:
        _record(contract, institution="1", transit="2", account="3", agreement_accepted=False)
    assert set(refused.value.errors) == {"institution", "transit", "account", "agreement_accepted"}


def test_a_png_named_pdf_is_accepted_and_stored_under_a_private_random_name(contract) -> None:
    method = _record(contract, cheque_file=upload("cheque.pdf", PNG_BYTES))
    assert method.cheque_specimen.name.startswith(f"private/cheques/{contract.organization_id}/")
    assert "cheque.pdf" not in method.cheque_specimen.name
    with method.cheque_specimen.open("rb") as stored:
        assert stored.read() == PNG_BYTES


def test_a_program_renamed_pdf_is_refused_and_nothing_is_stored(contract, settings) -> None:
    with pytest.raises(FieldErrors) as refused:
        _record(contract, cheque_file=upload("cheque.pdf", EXE_BYTES))
    assert "n'est pas un document .jpg, .jpeg, .png ou .pdf" in str(
        refused.value.errors["cheque_file"]
    )
    assert not PaymentMethod.objects.exists()
    assert not (settings.MEDIA_ROOT / "private").exists()


def test_a_cheque_over_5_mb_is_refused(contract) -> None:
    big = PDF_BYTES + b"0" * (5 * 1024 * 1024)
    with pytest.raises(FieldErrors) as refused:
        _record(contract, cheque_file=upload("cheque.pdf", big))
    assert "le maximum est 5,0 Mo" in str(refused.value.errors["cheque_file"])
    assert not PaymentMethod.objects.exists()


def test_without_a_published_agreement_pad_is_refused(organization) -> None:
    contract = contract_make(organization)
    with pytest.raises(PadError) as refused:
        _record(contract)
    assert refused.value.code == "pad_not_offered"
    assert not PaymentMethod.objects.exists()


def test_a_product_without_pad_refuses_it(contract) -> None:
    contract.product.accepts_pad = False
    contract.product.save()
    with pytest.raises(FieldErrors) as refused:
        _record(contract)
    assert list(refused.value.errors) == ["payment_method"]


def test_a_new_account_replaces_the_current_one(contract) -> None:
    first = _record(contract)
    second = _record(contract, account="7654321")
    first.refresh_from_db()
    assert first.status == PaymentMethod.Status.REPLACED
    assert second.status == PaymentMethod.Status.PENDING


@pytest.mark.parametrize(
    ("confirmed_at", "earliest"),
    [
        (NOW, dt.date(2026, 6, 20)),
        # 22:00 in Quebec is already the next day in UTC: the local date counts.
        (dt.datetime(2026, 6, 11, 2, 0, tzinfo=dt.UTC), dt.date(2026, 6, 20)),
        (dt.datetime(2026, 12, 25, 12, 0, tzinfo=dt.UTC), dt.date(2027, 1, 4)),
    ],
)
def test_the_first_debit_comes_10_calendar_days_after_the_confirmation(
    confirmed_at, earliest
) -> None:
    assert pad_first_debit_earliest(confirmed_at=confirmed_at) == earliest


def test_a_first_debit_too_soon_is_refused_and_nothing_is_sent(contract) -> None:
    method = _record(contract)
    with pytest.raises(PadError) as refused:
        pad_confirmation_send(payment_method=method, first_debit_on=dt.date(2026, 6, 19), now=NOW)
    assert refused.value.code == "first_debit_too_soon"
    assert "avant le 20 juin 2026" in str(refused.value)
    method.refresh_from_db()
    assert method.status == PaymentMethod.Status.PENDING
    assert method.pad_confirmation_sent_at is None
    assert not OutboundEmail.objects.exists()


def test_the_confirmation_states_the_terms_and_the_calendar(contract) -> None:
    contract.person.language = "en"
    contract.person.save()
    method = _record(contract)
    email = pad_confirmation_send(
        payment_method=method, first_debit_on=dt.date(2026, 7, 1), now=NOW
    )
    method.refresh_from_db()
    assert method.status == PaymentMethod.Status.ACTIVE
    assert method.pad_confirmation_sent_at == NOW
    assert email.to == contract.person.email
    assert str(contract.contract_number) in email.subject
    body = email.body_text
    # Asked for Canada Day, a Quebec holiday: the bank draws it the next business day.
    assert "First debit: July 2, 2026" in body
    assert "•••• 9012" in body
    assert ACCOUNT not in body + email.body_html
    assert "PAD category: Personal" in body
    assert "at least 30 days before the next debit" in body  # cancellation
    assert "www.payments.ca" in body  # recourse
    assert "(version 1)" in body
    # The calendar: a month of 23,08 $ from 1 July, monthly, each on a business day
    # (1 August 2026 is a Saturday: Monday 3 August).
    assert "- July 2, 2026 — $23.08" in body
    assert "- August 3, 2026 — $23.08" in body
    assert "- September 1, 2026 — $23.08" in body
    assert "$23.08" in email.body_html
    # A second call sends nothing new.
    again = pad_confirmation_send(
        payment_method=method, first_debit_on=dt.date(2026, 7, 1), now=NOW
    )
    assert again.pk == email.pk
    assert OutboundEmail.objects.count() == 1


def test_an_amount_change_needs_10_days_notice(contract) -> None:
    method = _record(contract)
    with pytest.raises(PadError) as refused:
        pad_amount_change_notice(
            payment_method=method,
            new_amount=Decimal("25.00"),
            effective_on=dt.date(2026, 6, 19),
            now=NOW,
        )
    assert refused.value.code == "notice_too_short"
    assert not OutboundEmail.objects.exists()
    contract.person.language = "en"
    contract.person.save()
    email = pad_amount_change_notice(
        payment_method=method,
        new_amount=Decimal("25.00"),
        effective_on=dt.date(2026, 6, 20),
        now=NOW,
    )
    assert "From June 20, 2026, each pre-authorized debit" in email.body_text
    assert "$25.00" in email.body_text
    assert "•••• 9012" in email.body_text


def test_the_confirmation_is_in_french_by_default(contract) -> None:
    method = _record(contract)
    email = pad_confirmation_send(
        payment_method=method, first_debit_on=dt.date(2026, 7, 1), now=NOW
    )
    assert email.language == "fr"
    assert "Confirmation de votre accord de prélèvement préautorisé" in email.subject
    assert "Premier prélèvement\u00a0: 2 juillet 2026" in email.body_text
    assert "- 2 juillet 2026 — 23,08\u00a0$" in email.body_text
    assert "Catégorie de DPA\u00a0: Personnel" in email.body_text
    assert "www.paiements.ca" in email.body_text
