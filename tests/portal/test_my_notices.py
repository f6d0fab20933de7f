""" "Mes avis": the notices this portal sent to the person's account, and no one else's."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticeReason
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from tests.access.grants import contract_of
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.enforcement.notices import tariffs_of
from tests.factories import VehicleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)


def _notice(organization, lot, plate: str) -> ClaimNotice:
    return notice_issue(
        organization=organization,
        draft=NoticeDraft(
            lot=lot,
            plate=plate,
            jurisdiction="QC",
            reason=NoticeReason.NO_PERMIT,
            observed_at=NOW - dt.timedelta(hours=1),
        ),
        agent=staff_member(StaffRole.Role.PATROL, organization),
        now=NOW,
    )


def test_the_person_sees_their_notices_with_a_payment_link(organization, portal_client):
    offer = offer_of(organization)
    tariffs_of(organization, amount="60.00")
    contract = contract_of(offer, start=NOW.date())
    VehicleFactory(owner=contract.person, plate="MINE01")
    mine = _notice(organization, offer.lot, "MINE01")
    theirs = _notice(organization, offer.lot, "OTHER1")
    portal_client.force_login(contract.person)
    page = portal_client.get("/mon-compte/avis/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert f'href="/avis-de-reclamation/?numero={mine.number}"' in page
    assert "60,00" in page and 'aria-current="page"' in page


def test_without_notices_it_says_so(organization, portal_client):
    person = contract_of(offer_of(organization), start=NOW.date()).person
    portal_client.force_login(person)
    response = portal_client.get("/mon-compte/avis/")
    assert response.status_code == 200
    assert "Aucun avis de réclamation" in response.content.decode()
