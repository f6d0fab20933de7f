"""The back office: collection files and cheque specimens downloaded by their own
institution's staff only; a bank account shown masked, never its token."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.billing.services.collect_pad import pad_collect, pad_confirmation_send
from parcauto.payments.models import CollectionFile, PaymentMethod
from parcauto.payments.services.pad import pad_method_record
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


def test_an_agent_sees_the_method_masked_but_no_file_with_whole_numbers(
    collected, organization
) -> None:
    agent = staff_member(StaffRole.Role.AGENT, organization)
    method = PaymentMethod.objects.get()
    client = signed_in(agent)
    page = client.get(f"/admin/payments/paymentmethod/{method.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "815-30001 •••• 9012" in html
    assert "/download/" not in html
    assert _download(agent, f"/admin/payments/paymentmethod/{method.pk}/download/")[0] == 403
    files = client.get("/admin/payments/collectionfile/")
    assert files.status_code == 200
    assert list(files.context["cl"].result_list) == [collected]
    assert "/download/" not in files.content.decode()
    status, content = _download(agent, f"/admin/payments/collectionfile/{collected.pk}/download/")
    assert status == 403
    assert ACCOUNT.encode() not in content


def test_a_payment_method_shows_only_the_fields_listed_for_staff(collected, organization) -> None:
    method = PaymentMethod.objects.get()
    PaymentMethod.objects.filter(pk=method.pk).update(
        data_key="vault-key-8c1f", issuer_id="issuer-77a2", temporary_token="ot-5d9e"
    )
    manager = staff_member(StaffRole.Role.MANAGER, organization)
    page = signed_in(manager).get(f"/admin/payments/paymentmethod/{method.pk}/change/")
    html = page.content.decode()
    for secret in ("vault-key-8c1f", "issuer-77a2", "ot-5d9e", method.bank_account_encrypted):
        assert secret not in html
    shown = {
        field.field["name"]
        for fieldset in page.context["adminform"]
        for line in fieldset
        for field in line
    }
    assert "bank_account_encrypted" not in shown
    assert {"shown_as", "holder_name", "download_link"} <= shown
