"""The back office: collection files and cheque specimens downloaded by their own
institution's staff only; a bank account shown masked, never its token."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.payments.models import CollectionFile, PaymentMethod
from parcauto.payments.services.collection import pad_collect
from parcauto.payments.services.pad import pad_confirmation_send, pad_method_record
from tests.backoffice.conftest import signed_in
from tests.backoffice.staff import staff_member

from .conftest import NOW, PNG_BYTES, upload
from .factories import contract_make, invoice_make, originator_make, pad_agreement_make

ACCOUNT = "123456789012"


@pytest.fixture
def collected(organization) -> CollectionFile:
    pad_agreement_make(organization)
    originator_make(organization)
    contract = contract_make(organization)
    method = pad_method_record(
        subscription=contract,
        institution="815",
        transit="30001",
        account=ACCOUNT,
        holder_name="Hélène Côté",
        holder_kind=PaymentMethod.HolderKind.PERSONAL,
        cheque_file=upload("cheque.pdf", PNG_BYTES),
        agreement_accepted=True,
        now=NOW,
    )
    pad_confirmation_send(payment_method=method, first_debit_on=dt.date(2026, 7, 1), now=NOW)
    invoice_make(contract, due=dt.date(2026, 7, 1))
    collection = pad_collect(
        organization=organization, collection_date=dt.date(2026, 7, 1), now=NOW
    )
    assert collection is not None
    return collection


def _download(user, path: str):
    response = signed_in(user).get(path)
    return response.status_code, b"".join(getattr(response, "streaming_content", [b""]))


def test_the_institution_s_manager_downloads_its_file(collected, organization) -> None:
    manager = staff_member(StaffRole.Role.MANAGER, organization)
    status, content = _download(manager, f"/admin/payments/collectionfile/{collected.pk}/download/")
    assert status == 200
    assert content.startswith(b"A000000001PARCAUTO010001")
    assert ACCOUNT.encode() in content  # the bank needs it: the file is the only clear copy


def test_another_institution_s_staff_gets_a_404(collected, other_organization) -> None:
    stranger = staff_member(StaffRole.Role.MANAGER, other_organization)
    status, content = _download(
        stranger, f"/admin/payments/collectionfile/{collected.pk}/download/"
    )
    assert status == 404
    assert ACCOUNT.encode() not in content


def test_the_cheque_specimen_is_downloaded_and_the_account_shown_masked(
    collected, organization
) -> None:
    manager = staff_member(StaffRole.Role.MANAGER, organization)
    method = PaymentMethod.objects.get()
    status, content = _download(manager, f"/admin/payments/paymentmethod/{method.pk}/download/")
    assert (status, content) == (200, PNG_BYTES)
    page = signed_in(manager).get(f"/admin/payments/paymentmethod/{method.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "815-30001 •••• 9012" in html
    assert ACCOUNT not in html
    assert method.bank_account_encrypted not in html
