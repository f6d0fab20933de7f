"""The patrol pages: a patrol agent checks plates in their institution's lots, and sees
nothing else of the back office."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.enforcement.models import CheckReason, PlateCheck
from parcauto.tenants.models import Organization
from tests.backoffice.conftest import signed_in
from tests.backoffice.staff import staff_member
from tests.enforcement.checking import DAY, NOW, monthly_offer, notice_for, permit
from tests.factories import ParkingLotFactory
from tests.offers import supervisor_offer
from tests.scoping import within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role
PATROL = "/gestion/patrouille/"


@pytest.fixture
def offer(organization):
    return monthly_offer(organization)


@pytest.fixture
def agent(organization):
    return staff_member(Role.PATROL, organization)


def check_page(client, lot, plate: str, province: str = "QC"):
    posted = client.post(PATROL, {"lot": lot.pk, "plate": plate, "province": province})
    assert posted.status_code == 302, posted.content.decode()[:500]
    return client.get(posted["Location"])


def test_a_patrol_agent_checks_a_plate_without_a_permit(agent, offer) -> None:
    client = signed_in(agent)
    form = client.get(PATROL)
    assert form.status_code == 200
    assert f'<option value="{offer.lot.pk}"' in form.content.decode()
    page = check_page(client, offer.lot, "xyz 789")
    html = page.content.decode()
    check = PlateCheck.objects.get()
    assert (check.agent, check.source, check.plate) == (agent, "patrol", "XYZ789")
    assert 'data-verdict="not_valid"' in html and "NON VALIDE" in html and "Aucun permis" in html
    assert f'href="/gestion/patrouille/verifications/{check.pk}/avis/"' in html
    assert 'id="possible"' not in html
    # The lot stays chosen for the next plate.
    assert f'<option value="{offer.lot.pk}" selected' in html


def test_a_valid_permit_says_valid_and_offers_no_notice(agent, offer) -> None:
    permit(offer, "ABC123")
    html = check_page(signed_in(agent), offer.lot, "ABC123").content.decode()
    assert 'data-verdict="valid"' in html and ">VALIDE<" in html and "Permis valide" in html
    assert 'id="issue-notice"' not in html


def test_an_occasional_permit_says_until_when(agent, organization) -> None:
    episodic = supervisor_offer(organization, lot_number="3000", product_number="7000")
    midnight = NOW.replace(hour=0, minute=0)
    permit(episodic, "OCC123", contract_from=midnight, valid_until=midnight + DAY)
    html = check_page(signed_in(agent), episodic.lot, "OCC123").content.decode()
    assert "Permis occasionnel, valide jusqu’à 23 h 59" in html  # noqa: RUF001
    assert f'data-reason="{CheckReason.VALID_UNTIL}"' in html


def test_a_lookalike_is_shown_for_the_agent_to_confirm(agent, offer) -> None:
    permit(offer, "A8C123")
    html = check_page(signed_in(agent), offer.lot, "ABC123").content.decode()
    assert 'data-verdict="not_valid"' in html
    assert 'id="possible"' in html and "A8C123" in html
    assert "1 caractère diffère" in html


def test_a_plate_noticed_today_offers_no_second_notice(agent, offer, organization) -> None:
    notice_for(organization, lot=offer.lot, plate="ABC123", observed_at=NOW - dt.timedelta(hours=1))
    html = check_page(signed_in(agent), offer.lot, "ABC123").content.decode()
    assert f'data-reason="{CheckReason.ALREADY_NOTICED}"' in html
    assert "Avis déjà remis aujourd&#x27;hui" in html
    assert 'id="issue-notice"' not in html


def test_a_mistyped_plate_is_said_and_nothing_is_checked(agent, offer) -> None:
    answer = signed_in(agent).post(
        PATROL, {"lot": offer.lot.pk, "plate": "AB*12", "province": "QC"}
    )
    assert answer.status_code == 400
    assert "en lettres et en chiffres seulement" in answer.content.decode()
    assert not PlateCheck.objects.exists()


def test_a_patrol_agent_sees_no_other_back_office_page(agent) -> None:
    client = signed_in(agent)
    home = client.get("/gestion/")
    assert home.status_code == 302 and home["Location"] == PATROL
    for path in ("/gestion/demandes/", "/gestion/service/", "/gestion/facturation/", "/admin/"):
        assert client.get(path).status_code in (302, 403), path
    assert client.get("/admin/").status_code != 200
    assert "Demandes d’abonnement" not in client.get(PATROL).content.decode()  # noqa: RUF001


def test_another_institutions_lots_and_checks_do_not_exist(
    agent, offer, other_organization: Organization
) -> None:
    theirs = ParkingLotFactory(organization=other_organization, number="1534")
    other_agent = staff_member(Role.PATROL, other_organization)
    check_page(signed_in(other_agent), theirs, "ABC123")
    with within(other_organization):
        their_check = PlateCheck.objects.get()
    client = signed_in(agent)
    assert f'value="{theirs.pk}"' not in client.get(PATROL).content.decode()
    refused = client.post(PATROL, {"lot": theirs.pk, "plate": "ABC123", "province": "QC"})
    assert refused.status_code == 400
    assert client.get(f"{PATROL}verifications/{their_check.pk}/").status_code == 404


def test_a_service_centre_agent_does_not_patrol(organization, offer) -> None:
    desk_agent = staff_member(Role.AGENT, organization)
    assert signed_in(desk_agent).get(PATROL).status_code == 403
    manager = staff_member(Role.MANAGER, organization)
    assert signed_in(manager).get(PATROL).status_code == 200
