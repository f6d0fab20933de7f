"""A bank account checked without side effects, and destroyed on refusal (rule 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError

from parcauto.audit.models import AuditEvent
from parcauto.payments.models import PaymentMethod
from parcauto.payments.services.pad import (
    PadError,
    pad_details_check,
    pad_method_forget,
    pad_method_record,
)
from parcauto.subscriptions.errors import FieldErrors

from .conftest import NOW, PDF_BYTES, upload
from .factories import contract_make, pad_agreement_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(organization):
    pad_agreement_make(organization)
    return contract_make(organization)


def _fields(**changes):
    return {
        "institution": "815",
        "transit": "30001",
        "account": "123456789012",
        "holder_name": "Hélène Côté",
        "holder_kind": PaymentMethod.HolderKind.PERSONAL,
        "cheque_file": upload("specimen.pdf", PDF_BYTES),
        "agreement_accepted": True,
    } | changes


def _cheques(contract) -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / "private" / "cheques" / str(contract.organization_id)
    return set(folder.iterdir()) if folder.exists() else set()


def test_the_check_reports_every_refused_field_at_once_and_stores_nothing(contract) -> None:
    before = _cheques(contract)
    with pytest.raises(FieldErrors) as refused:
        pad_details_check(
            subscription=contract,
            **_fields(
                institution="81",
                transit="",
                account="12ab",
                holder_name=" ",
                holder_kind="other",
                cheque_file=None,
                agreement_accepted=False,
            ),
        )
    assert set(refused.value.errors) == {
        "institution",
        "transit",
        "account",
        "holder_name",
        "holder_kind",
        "cheque_file",
        "agreement_accepted",
    }
    assert not PaymentMethod.objects.exists()
    assert _cheques(contract) == before


def test_the_check_returns_the_clean_details_and_stores_nothing(contract) -> None:
    before = _cheques(contract)
    details = pad_details_check(
        subscription=contract, **_fields(transit="30 001", holder_name=" Hélène  Côté ")
    )
    assert (details.bank.institution, details.bank.transit) == ("815", "30001")
    assert details.holder_name == "Hélène Côté"
    assert details.agreement.version == 1
    assert not PaymentMethod.objects.exists()
    assert _cheques(contract) == before


def test_the_check_refuses_an_institution_without_agreement(organization) -> None:
    contract = contract_make(organization)
    with pytest.raises(PadError) as refused:
        pad_details_check(subscription=contract, **_fields())
    assert refused.value.code == "pad_not_offered"


def test_forgetting_destroys_the_account_and_the_cheque_after_commit(
    contract, django_capture_on_commit_callbacks
) -> None:
    method = pad_method_record(subscription=contract, now=NOW, **_fields())
    cheque = Path(method.cheque_specimen.path)
    assert cheque.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        method = pad_method_forget(payment_method=method, now=NOW)
    assert cheque.exists()  # until the commit: a rollback keeps the row's file
    for callback in callbacks:
        callback()
    assert not cheque.exists()
    method.refresh_from_db()
    assert method.status == PaymentMethod.Status.REVOKED
    assert (method.bank_institution, method.bank_transit, method.holder_name) == ("", "", "")
    assert method.bank_account_encrypted == ""
    assert not method.cheque_specimen
    assert method.bank_account_last_digits == "9012"  # all that is left, for the audit
    assert method.pad_agreement_accepted_at == NOW  # the authorization's record stays
    event = AuditEvent.objects.get(action="payments.pad_forgotten")
    assert event.data == {"subscription": contract.pk, "account": "•••• 9012"}


def test_forgetting_twice_changes_nothing_the_second_time(
    contract, django_capture_on_commit_callbacks
) -> None:
    method = pad_method_record(subscription=contract, now=NOW, **_fields())
    with django_capture_on_commit_callbacks(execute=True):
        pad_method_forget(payment_method=method, now=NOW)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pad_method_forget(payment_method=method, now=NOW)
    assert callbacks == []
    assert AuditEvent.objects.filter(action="payments.pad_forgotten").count() == 1
    assert AuditEvent.objects.filter(action="payments.pad_revoked").count() == 1


def test_a_row_that_cannot_be_saved_leaves_no_cheque_file(contract, monkeypatch) -> None:
    before = _cheques(contract)

    def broken_save(self, *args, **kwargs):
        raise IntegrityError("the database refused the row")

    monkeypatch.setattr(PaymentMethod, "save", broken_save)
    with pytest.raises(IntegrityError):
        pad_method_record(subscription=contract, now=NOW, **_fields())
    assert _cheques(contract) == before
