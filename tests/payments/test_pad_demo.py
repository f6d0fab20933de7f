"""The demo institutions can take pre-authorized debits and payroll deductions."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from parcauto.payments.cpa005 import BANK_PROFILES
from parcauto.payments.models import PadOriginator, PayrollEmployer
from parcauto.tenants.models import LegalText
from parcauto.tenants.scoping import every_institution
from tests.scoping import unscoped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_institution() -> Iterator[None]:
    # The demo fills every portal: these tests read what it made across them.
    with every_institution(reason="tests of the demo of every portal"):
        yield


@unscoped
def _load() -> None:
    call_command("load_demo_data", force=True, stdout=StringIO())


def test_each_demo_institution_has_valid_bank_settings_and_an_agreement() -> None:
    _load()
    originators = list(PadOriginator.objects.select_related("organization"))
    assert sorted(o.organization.slug for o in originators) == ["cem", "cisso", "ciusse-chus"]
    for originator in originators:
        assert originator.file_settings().originator_id == originator.originator_id
        assert originator.bank_profile in BANK_PROFILES
        agreement = LegalText.objects.get(
            organization=originator.organization, kind=LegalText.Kind.PAD_AGREEMENT
        )
        assert originator.organization.name_fr in agreement.body_fr
        for term in ("Catégorie", "Montant et moment", "Annulation", "Recours"):
            assert term in agreement.body_fr
        assert "Recourse" in agreement.body_en
    employers = PayrollEmployer.objects.select_related("organization")
    assert sorted(e.organization.slug for e in employers) == ["cisso", "ciusse-chus"]


def test_a_second_load_keeps_the_file_counter() -> None:
    _load()
    PadOriginator.objects.update(last_file_number=41)
    _load()
    assert set(PadOriginator.objects.values_list("last_file_number", flat=True)) == {41}
    assert PadOriginator.objects.count() == 3
    assert LegalText.objects.filter(kind=LegalText.Kind.PAD_AGREEMENT).count() == 3
