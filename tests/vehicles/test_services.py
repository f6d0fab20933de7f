from __future__ import annotations

import datetime as dt

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.vehicles.errors import (
    DuplicatePlate,
    InvalidVehicleData,
    TooManyVehicles,
    VehicleNeeded,
    VehicleRemoved,
)
from parcauto.vehicles.models import Vehicle, VehicleChange
from parcauto.vehicles.services import vehicle_add, vehicle_remove, vehicle_update
from tests.backoffice.conftest import snapshot
from tests.factories import UserFactory
from tests.vehicles.conftest import NOW, corolla

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(hours=24)
PLATE_MESSAGE = (
    "Entrez le numéro de plaque en lettres et en chiffres seulement, par exemple ABC123."
)


def test_a_vehicle_is_added_normalised_with_its_history_and_audit(marie, organization):
    vehicle = vehicle_add(
        owner=marie,
        data=corolla(make=" toyota", model="corolla ", colour=" Gris  foncé "),
        actor=marie,
        now=NOW,
        organization=organization,
    )
    assert (vehicle.plate, vehicle.plate_match_key, vehicle.jurisdiction) == (
        "ABC123",
        "A8C123",
        "QC",
    )
    assert (vehicle.make, vehicle.model, vehicle.year, vehicle.colour) == (
        "Toyota",
        "Corolla",
        2019,
        "Gris foncé",
    )
    change = VehicleChange.objects.get(vehicle=vehicle)
    assert change.action == "added"
    assert change.before is None
    assert change.after == {
        "plate": "ABC123",
        "jurisdiction": "QC",
        "make": "Toyota",
        "model": "Corolla",
        "year": 2019,
        "colour": "Gris foncé",
    }
    assert (change.actor, change.changed_at, change.effective_at) == (marie, NOW, NOW + DAY)
    assert change.plate_match_key == "A8C123"
    event = AuditEvent.objects.get(action="vehicle.added")
    assert (event.actor, event.organization, event.target_id) == (
        marie,
        organization,
        str(vehicle.pk),
    )
    assert event.data["change"] == change.pk
    assert "ABC123" not in str(event.data)  # field names only, never the plate


def test_the_delay_comes_from_the_settings(marie, settings):
    settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS = 48
    vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    assert vehicle.changes.get().effective_at == NOW + dt.timedelta(hours=48)


def test_it_refuses_a_third_vehicle_and_nothing_changes(marie):
    vehicle_add(owner=marie, data=corolla(plate="AAA111"), actor=marie, now=NOW)
    vehicle_add(owner=marie, data=corolla(plate="BBB222"), actor=marie, now=NOW)
    before = (snapshot(Vehicle), snapshot(VehicleChange), snapshot(AuditEvent))
    with pytest.raises(TooManyVehicles) as error:
        vehicle_add(owner=marie, data=corolla(plate="CCC333"), actor=marie, now=NOW)
    assert error.value.code == "too_many_vehicles"
    assert str(error.value.message) == (
        "Maximum 2 véhicules\u00a0: supprimez-en un avant d'en ajouter un autre."
    )
    assert (snapshot(Vehicle), snapshot(VehicleChange), snapshot(AuditEvent)) == before


def test_the_maximum_comes_from_the_settings(marie, settings):
    settings.PARCAUTO_MAX_VEHICLES_PER_ACCOUNT = 1
    vehicle_add(owner=marie, data=corolla(plate="AAA111"), actor=marie, now=NOW)
    with pytest.raises(TooManyVehicles) as error:
        vehicle_add(owner=marie, data=corolla(plate="BBB222"), actor=marie, now=NOW)
    assert str(error.value.message) == (
        "Maximum 1 véhicule\u00a0: supprimez-le avant d'en ajouter un autre."
    )


def test_a_removed_vehicle_frees_its_place_and_its_plate(marie):
    first = vehicle_add(owner=marie, data=corolla(plate="AAA111"), actor=marie, now=NOW)
    vehicle_add(owner=marie, data=corolla(plate="BBB222"), actor=marie, now=NOW)
    vehicle_remove(vehicle=first, actor=marie, now=NOW)
    again = vehicle_add(owner=marie, data=corolla(plate="aaa 111"), actor=marie, now=NOW)
    assert again.plate == "AAA111"
    assert Vehicle.objects.filter(owner=marie, plate="AAA111").count() == 2


def test_it_refuses_a_plate_the_person_already_registered(marie):
    vehicle_add(owner=marie, data=corolla(plate="ABC123"), actor=marie, now=NOW)
    before = (snapshot(Vehicle), snapshot(VehicleChange))
    with pytest.raises(DuplicatePlate) as error:
        vehicle_add(owner=marie, data=corolla(plate="abc-123", make="Honda"), actor=marie, now=NOW)
    assert (error.value.code, error.value.field) == ("duplicate_plate", "plate")
    assert (
        str(error.value.message)
        == "Vous avez déjà enregistré un véhicule portant la plaque ABC123."
    )
    assert (snapshot(Vehicle), snapshot(VehicleChange)) == before


def test_two_people_may_register_the_same_plate(marie):
    jean = UserFactory(email="jean@example.com")
    vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    vehicle_add(owner=jean, data=corolla(), actor=jean, now=NOW)  # a shared family car
    assert Vehicle.objects.filter(plate="ABC123").count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"plate": "AB.12"},
            "plate",
            PLATE_MESSAGE,
        ),
        ({"jurisdiction": "ZZ"}, "jurisdiction", "Choisissez une province ou un État."),
        ({"year": 1949}, "year", "Entrez une année de 1950 à 2027."),
        ({"year": 2028}, "year", "Entrez une année de 1950 à 2027."),
        ({"make": "  "}, "make", "Champ requis"),
        ({"colour": "x" * 31}, "colour", "Utilisez au plus 30 caractères."),
    ],
)
def test_invalid_data_is_refused_with_the_field_at_fault(marie, changes, field, message):
    with pytest.raises(InvalidVehicleData) as error:
        vehicle_add(owner=marie, data=corolla(**changes), actor=marie, now=NOW)
    assert (error.value.field, str(error.value.message)) == (field, message)
    assert not Vehicle.objects.exists()


def test_next_years_model_is_accepted(marie):
    assert vehicle_add(owner=marie, data=corolla(year=2027), actor=marie, now=NOW).year == 2027


def test_a_change_is_recorded_with_before_and_after(marie, organization):
    vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    later = NOW + dt.timedelta(hours=30)
    change = vehicle_update(
        vehicle=vehicle,
        data=corolla(plate="XYZ 789", colour="Bleu"),
        actor=marie,
        now=later,
        organization=organization,
    )
    assert change is not None
    assert (change.action, change.changed_at, change.effective_at) == (
        "changed",
        later,
        later + DAY,
    )
    assert (change.before["plate"], change.before["colour"]) == ("ABC123", "Gris")
    assert (change.after["plate"], change.after["colour"]) == ("XYZ789", "Bleu")
    assert (vehicle.plate, vehicle.plate_match_key, vehicle.colour) == ("XYZ789", "XY2789", "Bleu")
    event = AuditEvent.objects.get(action="vehicle.changed")
    assert event.data["fields"] == ["colour", "plate"]


def test_saving_the_same_data_records_nothing(marie):
    vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    before = (snapshot(Vehicle), snapshot(VehicleChange), snapshot(AuditEvent))
    same = corolla(plate=" abc 123", make="TOYOTA")
    assert vehicle_update(vehicle=vehicle, data=same, actor=marie, now=NOW) is None
    assert (snapshot(Vehicle), snapshot(VehicleChange), snapshot(AuditEvent)) == before


def test_a_change_to_the_plate_of_another_of_ones_vehicles_is_refused(marie):
    vehicle_add(owner=marie, data=corolla(plate="AAA111"), actor=marie, now=NOW)
    second = vehicle_add(owner=marie, data=corolla(plate="BBB222"), actor=marie, now=NOW)
    before = (snapshot(Vehicle), snapshot(VehicleChange))
    with pytest.raises(DuplicatePlate):
        vehicle_update(vehicle=second, data=corolla(plate="AAA111"), actor=marie, now=NOW)
    assert (snapshot(Vehicle), snapshot(VehicleChange)) == before


def test_a_removal_keeps_the_row_for_history(marie):
    vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    change = vehicle_remove(vehicle=vehicle, actor=marie, now=NOW + dt.timedelta(hours=1))
    assert vehicle.removed_at == NOW + dt.timedelta(hours=1)
    assert (change.action, change.before["plate"], change.after) == ("removed", "ABC123", None)
    assert change.effective_at == NOW + dt.timedelta(hours=25)
    assert change.plate_match_key == "A8C123"
    assert AuditEvent.objects.filter(action="vehicle.removed").count() == 1


def test_a_removed_vehicle_can_be_neither_changed_nor_removed_again(marie):
    vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    vehicle_remove(vehicle=vehicle, actor=marie, now=NOW)
    before = (snapshot(Vehicle), snapshot(VehicleChange))
    with pytest.raises(VehicleRemoved):
        vehicle_update(vehicle=vehicle, data=corolla(colour="Rouge"), actor=marie, now=NOW)
    with pytest.raises(VehicleRemoved):
        vehicle_remove(vehicle=vehicle, actor=marie, now=NOW)
    assert (snapshot(Vehicle), snapshot(VehicleChange)) == before


def test_a_vehicle_a_contract_needs_cannot_be_removed(marie):
    only = vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    before = (snapshot(Vehicle), snapshot(VehicleChange), snapshot(AuditEvent))
    with pytest.raises(VehicleNeeded) as error:
        vehicle_remove(vehicle=only, actor=marie, now=NOW, keep_at_least=1)
    assert error.value.code == "vehicle_needed"
    assert str(error.value.message) == (
        "Votre abonnement exige 1 véhicule\u00a0: ajoutez-en un autre avant de supprimer celui-ci."
    )
    assert (snapshot(Vehicle), snapshot(VehicleChange), snapshot(AuditEvent)) == before


def test_one_of_two_vehicles_can_go_when_contracts_need_one(marie):
    first = vehicle_add(owner=marie, data=corolla(plate="AAA111"), actor=marie, now=NOW)
    second = vehicle_add(owner=marie, data=corolla(plate="BBB222"), actor=marie, now=NOW)
    vehicle_remove(vehicle=first, actor=marie, now=NOW, keep_at_least=1)
    with pytest.raises(VehicleNeeded):
        vehicle_remove(vehicle=second, actor=marie, now=NOW, keep_at_least=1)
    assert list(Vehicle.objects.filter(removed_at__isnull=True)) == [second]


def test_a_shorter_delay_never_lets_an_older_change_overtake_a_newer_one(marie, settings):
    vehicle = vehicle_add(owner=marie, data=corolla(), actor=marie, now=NOW)
    settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS = 0
    change = vehicle_update(
        vehicle=vehicle, data=corolla(colour="Rouge"), actor=marie, now=NOW + dt.timedelta(hours=1)
    )
    assert change is not None
    assert change.effective_at == NOW + DAY  # not before the addition it follows
