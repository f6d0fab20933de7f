"""A patrol role that names lots: its agent patrols those lots only; managers and the
operator patrol every lot; only a patrol role names lots, and only its institution's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from parcauto.accounts.models import StaffRole
from parcauto.accounts.roles import staff_access, staff_role_lots_check
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import PlateCheck
from tests.backoffice.staff import staff_member
from tests.enforcement.notices import check_of
from tests.factories import ParkingLotFactory
from tests.scoping import within

pytestmark = pytest.mark.django_db

Role = StaffRole.Role
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def lot_a(organization):
    return ParkingLotFactory(organization=organization, number="1085")


@pytest.fixture
def lot_b(organization):
    return ParkingLotFactory(organization=organization, number="2000")


@pytest.fixture
def their_lot(other_organization):
    return ParkingLotFactory(organization=other_organization, number="1534")


def _patrolled_lots(access) -> set[str]:
    return set(
        ParkingLot.objects.filter(organization__in=access.patrol_organizations())
        .filter(access.patrolled_rows("pk"))
        .values_list("number", flat=True)
    )


def test_a_patrol_role_naming_no_lot_patrols_every_lot_of_its_institution(
    organization, lot_a, lot_b, their_lot
):
    access = staff_access(staff_member(Role.PATROL, organization))
    assert access.patrol_lot_ids(organization.pk) is None
    assert access.may_patrol_lot(lot_a) and access.may_patrol_lot(lot_b)
    assert not access.may_patrol_lot(their_lot)
    assert _patrolled_lots(access) == {"1085", "2000"}


def test_a_patrol_role_naming_a_lot_patrols_that_lot_only(organization, lot_a, lot_b, their_lot):
    access = staff_access(staff_member(Role.PATROL, organization, lots=[lot_a]))
    assert access.patrol_lot_ids(organization.pk) == {lot_a.pk}
    assert access.may_patrol_lot(lot_a)
    assert not access.may_patrol_lot(lot_b)
    assert not access.may_patrol_lot(their_lot)
    assert access.may_patrol(organization.pk)  # still a patrol agent of the institution
    assert _patrolled_lots(access) == {"1085"}


def test_the_limit_narrows_plate_checks_too(organization, lot_a, lot_b):
    agent = staff_member(Role.PATROL, organization, lots=[lot_b])
    for lot in (lot_a, lot_b):
        check_of(lot, at=NOW)
    access = staff_access(agent)
    seen = PlateCheck.objects.filter(access.patrolled_rows()).values_list("lot_id", flat=True)
    assert list(seen) == [lot_b.pk]


def test_each_institution_is_limited_by_its_own_patrol_role(
    organization, other_organization, lot_a, lot_b, their_lot
):
    agent = staff_member(Role.PATROL, organization, lots=[lot_a])
    StaffRole.objects.create(user=agent, role=Role.PATROL, organization=other_organization)
    access = staff_access(agent)
    assert access.patrol_lot_ids(other_organization.pk) is None
    assert access.may_patrol_lot(their_lot) and not access.may_patrol_lot(lot_b)
    with within(other_organization):
        other_lot = ParkingLotFactory(organization=other_organization, number="1600")
    assert access.may_patrol_lot(other_lot)


def test_managers_and_the_operator_patrol_every_lot(organization, lot_a, lot_b):
    manager = staff_member(Role.MANAGER, organization)
    # A manager who also holds a limited patrol role: the manager's role decides.
    StaffRole.objects.create(user=manager, role=Role.PATROL, organization=organization)
    StaffRole.objects.get(user=manager, role=Role.PATROL).lots.set([lot_a])
    operator = staff_member(Role.OPERATOR_ADMIN)
    for access in (staff_access(manager), staff_access(operator)):
        assert access.patrol_lot_ids(organization.pk) is None
        assert access.may_patrol_lot(lot_b)
        assert _patrolled_lots(access) == {"1085", "2000"}


def test_a_patrol_role_may_name_lots_of_its_institution(organization, lot_a, lot_b):
    staff_role_lots_check(role=Role.PATROL, organization_id=organization.pk, lots=[lot_a, lot_b])
    staff_role_lots_check(role=Role.MANAGER, organization_id=organization.pk, lots=[])


def test_a_patrol_role_may_not_name_another_institutions_lot(organization, lot_a, their_lot):
    with pytest.raises(ValidationError) as refused:
        staff_role_lots_check(
            role=Role.PATROL, organization_id=organization.pk, lots=[lot_a, their_lot]
        )
    assert refused.value.code == "lots_of_another_institution"
    assert "1534" in refused.value.messages[0] and "1085" not in refused.value.messages[0]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT, Role.OPERATOR_ADMIN])
def test_only_a_patrol_role_names_lots(organization, lot_a, role):
    with pytest.raises(ValidationError) as refused:
        staff_role_lots_check(role=role, organization_id=organization.pk, lots=[lot_a])
    assert refused.value.code == "lots_not_patrol"
