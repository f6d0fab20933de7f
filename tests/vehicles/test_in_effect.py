"""What patrol and plate cameras apply, as time passes (rules 19 and 51)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from parcauto.vehicles.selectors import vehicles_in_effect, vehicles_in_effect_for_plate
from parcauto.vehicles.services import vehicle_add, vehicle_remove, vehicle_update
from tests.factories import UserFactory
from tests.vehicles.conftest import NOW, corolla

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def plates(owner):
    return [v.plate for v in vehicles_in_effect(owner=owner, at=timezone.now())]


def test_an_added_vehicle_is_recognised_24_hours_later(marie):
    with time_machine.travel(NOW, tick=False) as clock:
        vehicle_add(owner=marie, data=corolla(), actor=marie, now=timezone.now())
        assert plates(marie) == []
        clock.shift(23 * HOUR + dt.timedelta(minutes=59))
        assert plates(marie) == []
        clock.shift(dt.timedelta(minutes=1))
        [in_effect] = vehicles_in_effect(owner=marie, at=timezone.now())
    assert (in_effect.plate, in_effect.jurisdiction, in_effect.make, in_effect.model) == (
        "ABC123",
        "QC",
        "Toyota",
        "Corolla",
    )
    assert (in_effect.year, in_effect.colour, in_effect.since) == (2019, "Gris", NOW + 24 * HOUR)
    assert in_effect.owner_id == marie.pk


def test_a_changed_plate_replaces_the_old_one_only_after_the_delay(marie):
    with time_machine.travel(NOW, tick=False) as clock:
        vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=timezone.now())
        clock.shift(48 * HOUR)
        vehicle_update(
            vehicle=vehicle, data=corolla(plate="XYZ789"), actor=marie, now=timezone.now()
        )
        assert plates(marie) == ["ABC123"]  # the old plate stays valid meanwhile
        clock.shift(24 * HOUR - HOUR)
        assert plates(marie) == ["ABC123"]
        clock.shift(HOUR)
        assert plates(marie) == ["XYZ789"]


def test_a_removed_vehicle_stays_recognised_until_the_delay_passes(marie):
    with time_machine.travel(NOW, tick=False) as clock:
        vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=timezone.now())
        clock.shift(30 * HOUR)
        vehicle_remove(vehicle=vehicle, actor=marie, now=timezone.now())
        assert plates(marie) == ["ABC123"]
        clock.shift(24 * HOUR)
        assert plates(marie) == []


def test_a_vehicle_removed_before_it_took_effect_is_never_recognised(marie):
    with time_machine.travel(NOW, tick=False) as clock:
        vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=timezone.now())
        clock.shift(HOUR)
        vehicle_remove(vehicle=vehicle, actor=marie, now=timezone.now())
        clock.shift(23 * HOUR)
        # The addition is in effect but the removal, one hour later, is not yet.
        assert plates(marie) == ["ABC123"]
        clock.shift(HOUR)
        assert plates(marie) == []


def test_two_changes_in_a_row_take_effect_in_order(marie):
    with time_machine.travel(NOW, tick=False) as clock:
        vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=timezone.now())
        clock.shift(25 * HOUR)
        vehicle_update(
            vehicle=vehicle, data=corolla(colour="Bleu"), actor=marie, now=timezone.now()
        )
        clock.shift(HOUR)
        vehicle_update(
            vehicle=vehicle, data=corolla(colour="Noir"), actor=marie, now=timezone.now()
        )
        colours = lambda: [v.colour for v in vehicles_in_effect(owner=marie, at=timezone.now())]  # noqa: E731
        assert colours() == ["Gris"]
        clock.shift(23 * HOUR)
        assert colours() == ["Bleu"]
        clock.shift(HOUR)
        assert colours() == ["Noir"]


def test_only_the_persons_own_vehicles_are_returned(marie):
    jean = UserFactory(email="jean@example.com")
    vehicle_add(owner=marie, data=corolla(plate="AAA111"), actor=marie, now=NOW)
    vehicle_add(owner=jean, data=corolla(plate="JJJ999"), actor=jean, now=NOW)
    later = NOW + 25 * HOUR
    assert [v.plate for v in vehicles_in_effect(owner=marie, at=later)] == ["AAA111"]
    assert [v.plate for v in vehicles_in_effect(owner=jean, at=later)] == ["JJJ999"]


def test_a_camera_read_finds_the_plate_in_effect_through_look_alike_characters(marie):
    jean = UserFactory(email="jean@example.com")
    vehicle = vehicle_add(owner=marie, data=corolla(plate="BOS123"), actor=marie, now=NOW)
    vehicle_add(owner=jean, data=corolla(plate="ABC999"), actor=jean, now=NOW)
    later = NOW + 25 * HOUR
    [hit] = vehicles_in_effect_for_plate(plate="8OS-I23", at=later)
    assert (hit.vehicle_id, hit.plate, hit.owner_id) == (vehicle.pk, "BOS123", marie.pk)
    assert vehicles_in_effect_for_plate(plate="BOS123", at=NOW) == []  # not yet
    vehicle_update(vehicle=vehicle, data=corolla(plate="NEW111"), actor=marie, now=later)
    # The old plate keeps matching until the change takes effect, then the new one does.
    assert [v.plate for v in vehicles_in_effect_for_plate(plate="BOS123", at=later)] == ["BOS123"]
    then = later + 24 * HOUR
    assert vehicles_in_effect_for_plate(plate="BOS123", at=then) == []
    assert [v.plate for v in vehicles_in_effect_for_plate(plate="NEW111", at=then)] == ["NEW111"]
