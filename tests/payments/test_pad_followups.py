"""A bank account checked without side effects."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from parcauto.payments.models import PaymentMethod
from parcauto.payments.services.pad import (
    PadError,
    pad_details_check,
)
from parcauto.subscriptions.errors import FieldErrors

from .conftest import PDF_BYTES, upload
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
