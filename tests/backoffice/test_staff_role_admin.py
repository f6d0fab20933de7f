"""The staff-role form of the back office: a forged person or lot id is a form error, never
a 500; a patrol role may be limited to lots of its own institution."""

from __future__ import annotations

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.accounts.roles import staff_access
from parcauto.audit.models import AuditEvent
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.staff import staff_member
from tests.factories import ParkingLotFactory, UserFactory
from tests.scoping import within

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("forged", ["foo", "²", "9" * 23, "-1"])
def test_a_person_id_that_is_no_id_is_refused_on_the_page(operator, organization, forged):
    before = snapshot(StaffRole)
    response = signed_in(operator).post(
        "/admin/accounts/staffrole/add/",
        {"user": forged, "role": StaffRole.Role.AGENT, "organization": organization.pk},
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert snapshot(StaffRole) == before


def test_a_search_for_a_nul_byte_is_a_400(operator):
    # PostgreSQL cannot compare text holding a NUL byte: the search raised DataError.
    response = signed_in(operator).get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "staffrole", "field_name": "user", "term": "a\x00"},
    )
    assert response.status_code == 400


def test_the_autocomplete_finds_a_person_by_e_mail(operator):
    person = UserFactory(email="nouveau@chus.example")
    response = signed_in(operator).get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "staffrole", "field_name": "user", "term": "nouv"},
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(person.pk)]


def _role_form(user, organization, role, lots) -> dict[str, object]:
    return {"user": user.pk, "organization": organization.pk, "role": role, "lots": lots}


def test_the_operator_limits_a_patrol_agent_to_some_lots(operator, organization):
    lot = ParkingLotFactory(organization=organization, number="1085")
    ParkingLotFactory(organization=organization, number="2000")
    person = UserFactory()
    client = signed_in(operator)
    page = client.get("/admin/accounts/staffrole/add/").content.decode()
    assert "Laissez vide pour tous les stationnements de l’établissement." in page  # noqa: RUF001
    response = client.post(
        "/admin/accounts/staffrole/add/",
        _role_form(person, organization, StaffRole.Role.PATROL, [lot.pk]),
    )
    assert response.status_code == 302
    staff_role = StaffRole.objects.get(user=person)
    assert list(staff_role.lots.all()) == [lot]
    event = AuditEvent.objects.get(action="admin.accounts.staffrole.added")
    assert "lots" in event.data["fields"]
    assert staff_access(person).patrol_lot_ids(organization.pk) == {lot.pk}


@pytest.mark.parametrize(
    ("role", "lot_of", "error"),
    [
        (StaffRole.Role.MANAGER, "organization", "Seul le rôle d’agent de patrouille"),  # noqa: RUF001
        (StaffRole.Role.PATROL, "other_organization", "pas 1534 - "),
    ],
)
def test_lots_are_a_patrol_roles_and_of_its_institution(
    operator, organization, other_organization, role, lot_of, error
):
    institution = {"organization": organization, "other_organization": other_organization}
    with within(institution[lot_of]):
        lot = ParkingLotFactory(organization=institution[lot_of], number="1534")
    before = snapshot(StaffRole)
    response = signed_in(operator).post(
        "/admin/accounts/staffrole/add/", _role_form(UserFactory(), organization, role, [lot.pk])
    )
    assert response.status_code == 200
    assert error in " ".join(response.context["adminform"].form.errors["lots"])
    assert snapshot(StaffRole) == before


@pytest.mark.parametrize("forged", ["foo", "9" * 23, "-1"])
def test_a_lot_id_that_is_no_id_is_refused_on_the_page(operator, organization, forged):
    before = snapshot(StaffRole)
    response = signed_in(operator).post(
        "/admin/accounts/staffrole/add/",
        _role_form(UserFactory(), organization, StaffRole.Role.PATROL, [forged]),
    )
    assert response.status_code == 200
    assert "lots" in response.context["adminform"].form.errors
    assert snapshot(StaffRole) == before


def test_the_persons_page_edits_the_lots_of_their_roles(operator, organization):
    lot = ParkingLotFactory(organization=organization, number="1085")
    agent = staff_member(StaffRole.Role.PATROL, organization)
    page = signed_in(operator).get(f"/admin/accounts/user/{agent.pk}/change/").content.decode()
    assert 'name="staff_roles-0-lots"' in page
    assert f'<option value="{lot.pk}">CIUSSS de l&#x27;Estrie - CHUS · 1085 - ' in page
