"""Vehicles in the back office: operator admins look them up; nobody edits them there."""

from __future__ import annotations

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.vehicles.models import Vehicle, VehicleChange
from parcauto.vehicles.services import vehicle_add, vehicle_update
from tests.backoffice.conftest import admin_url, changelist_rows, signed_in, snapshot
from tests.backoffice.staff import staff_member
from tests.vehicles.conftest import NOW, corolla

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/vehicles/vehicle/"


@pytest.fixture
def operator(db):
    return staff_member(StaffRole.Role.OPERATOR_ADMIN, email="admin@parcauto.ca")


@pytest.fixture
def vehicle(marie):
    vehicle = vehicle_add(owner=marie, data=corolla(plate="BOS123"), actor=marie, now=NOW)
    vehicle_update(
        vehicle=vehicle, data=corolla(plate="BOS123", colour="Bleu"), actor=marie, now=NOW
    )
    return vehicle


@pytest.mark.parametrize("term", ["BOS123", "bos-123", "8OS123", "marie@example.com"])
def test_the_operator_finds_a_vehicle_by_plate_look_alike_or_owner(operator, vehicle, term):
    rows = changelist_rows(signed_in(operator), f"{CHANGELIST}?q={term}")
    assert rows == {vehicle}


def test_the_change_page_shows_the_history_read_only(operator, vehicle):
    response = signed_in(operator).get(admin_url(vehicle))
    assert response.status_code == 200
    page = response.content.decode()
    assert "BOS123" in page
    assert "Bleu" in page and "Gris" in page  # before and after of the change
    assert 'name="plate"' not in page
    assert "/admin/vehicles/vehicle/add/" not in page


def test_nobody_changes_or_deletes_a_vehicle_in_the_admin(operator, vehicle):
    client = signed_in(operator)
    before = (snapshot(Vehicle), snapshot(VehicleChange))
    assert client.post(admin_url(vehicle), {"plate": "HACK01"}).status_code == 403
    assert client.post(admin_url(vehicle, "delete"), {"post": "yes"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert (snapshot(Vehicle), snapshot(VehicleChange)) == before


@pytest.mark.parametrize("role", [StaffRole.Role.MANAGER, StaffRole.Role.AGENT])
def test_institution_staff_do_not_see_peoples_vehicles(organization, vehicle, role):
    client = signed_in(staff_member(role, organization))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(admin_url(vehicle)).status_code == 403
    assert "/admin/vehicles/" not in client.get("/admin/").content.decode()
