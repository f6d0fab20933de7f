"""A patrol agent limited to lot A: lot B is not offered, a check or a notice of lot B
does not exist for them (404), and a POST naming lot B is refused with a clear error,
writing nothing. A manager of the same institution patrols both lots."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticeReason, PlateCheck
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.enforcement.notices import check_of, notice_make, tariffs_of
from tests.factories import ParkingLotFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)
PATROL = "/gestion/patrouille/"
NEW_NOTICE = "/gestion/avis/nouveau/"
REFUSED = "Choisissez un des stationnements où vous patrouillez."


@pytest.fixture
def lot_a(organization):
    tariffs_of(organization)
    return offer_of(organization).lot


@pytest.fixture
def lot_b(organization):
    return ParkingLotFactory(organization=organization, number="2000")


@pytest.fixture
def limited(organization, lot_a):
    return staff_member(Role.PATROL, organization, email="patrouille@chus.example", lots=[lot_a])


def _typed_notice(lot) -> dict[str, object]:
    return {
        "lot": lot.pk,
        "plate": "ABC123",
        "jurisdiction": "QC",
        "observed_on": "2026-06-01",
        "observed_time": "09:00",
        "reason": NoticeReason.NO_PERMIT,
    }


def test_only_the_agents_lots_are_offered(limited, lot_a, lot_b):
    client = signed_in(limited)
    for path in (PATROL, NEW_NOTICE):
        html = client.get(path).content.decode()
        assert f'value="{lot_a.pk}"' in html, path
        assert f'value="{lot_b.pk}"' not in html, path


def test_a_check_naming_another_lot_is_refused_and_nothing_is_checked(limited, lot_b):
    response = signed_in(limited).post(
        PATROL, {"lot": lot_b.pk, "plate": "ABC123", "province": "QC"}
    )
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not PlateCheck.objects.exists()


def test_a_check_in_the_agents_lot_goes_through(limited, lot_a):
    response = signed_in(limited).post(
        PATROL, {"lot": lot_a.pk, "plate": "ABC123", "province": "QC"}
    )
    assert response.status_code == 302
    assert PlateCheck.objects.get().lot == lot_a


def test_a_check_of_another_lot_does_not_exist_for_the_agent(limited, lot_b):
    theirs = check_of(lot_b, at=NOW - dt.timedelta(minutes=5))
    client = signed_in(limited)
    assert client.get(f"{PATROL}verifications/{theirs.pk}/").status_code == 404
    issue = f"{PATROL}verifications/{theirs.pk}/avis/"
    assert client.get(issue).status_code == 404
    before = snapshot(ClaimNotice)
    assert client.post(issue, {"reason": NoticeReason.NO_PERMIT}).status_code == 404
    assert snapshot(ClaimNotice) == before


def test_a_typed_notice_naming_another_lot_is_refused_and_nothing_is_issued(limited, lot_b):
    before = snapshot(ClaimNotice)
    response = signed_in(limited).post(NEW_NOTICE, _typed_notice(lot_b))
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert snapshot(ClaimNotice) == before


def test_a_notice_of_another_lot_does_not_exist_for_the_agent(organization, limited, lot_a, lot_b):
    mine = notice_make(organization, lot=lot_a, agent=limited, number="5000001")
    other = notice_make(organization, lot=lot_b, agent=limited, number="5000002")
    client = signed_in(limited)
    for suffix in ("", "avis.pdf", "avis-80mm.pdf"):
        assert client.get(f"{PATROL}avis/{other.pk}/{suffix}").status_code == 404, suffix
        assert client.get(f"{PATROL}avis/{mine.pk}/{suffix}").status_code == 200, suffix
    # Their own notices of the lot they no longer patrol leave their list too.
    recent = client.get(PATROL).content.decode()
    assert mine.number in recent and other.number not in recent


def test_a_manager_of_the_institution_patrols_every_lot(organization, lot_a, lot_b):
    manager = staff_member(Role.MANAGER, organization)
    client = signed_in(manager)
    html = client.get(PATROL).content.decode()
    assert f'value="{lot_a.pk}"' in html and f'value="{lot_b.pk}"' in html
    assert client.post(NEW_NOTICE, _typed_notice(lot_b)).status_code == 302
    assert ClaimNotice.objects.get().lot == lot_b
