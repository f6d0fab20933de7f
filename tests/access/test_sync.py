"""access_sync: the pass and the stored grants follow the contract, its dates and its
vehicles, and only what really changes is written again."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from parcauto.access.allowlist import allowlist_version
from parcauto.access.models import AccessGrant, AccessPass
from parcauto.access.selectors import PlateShown
from parcauto.access.services import access_sync
from parcauto.access.services.grants import grants_forget_plates
from parcauto.access.tokens import token_unseal
from parcauto.audit.models import AuditEvent
from parcauto.core.models import Counter
from parcauto.subscriptions.models import Subscription
from tests.access.conftest import AUTUMN, WINTER, add_vehicle, at, contract, midnight
from tests.factories import ParkingLotFactory, PermitProductFactory

pytestmark = pytest.mark.django_db

Status = Subscription.Status
Kind = AccessGrant.Kind
HOUR = dt.timedelta(hours=1)
NOW = at(dt.date(2026, 8, 1))


def grants(subscription, **filters):
    return list(
        AccessGrant.objects.filter(subscription=subscription, **filters).order_by(
            "lot__number", "kind", "valid_from"
        )
    )


def revision_counter(organization) -> int:
    return Counter.objects.get(name=f"access-grants-{organization.pk}").last_value


def test_an_approved_contract_gets_a_pass_and_a_grant_per_credential(product, person):
    add_vehicle(person, plate="abc-123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person, status=Status.APPROVED)

    result = access_sync(subscription=subscription, now=NOW)

    access_pass = AccessPass.objects.get(subscription=subscription)
    token = token_unseal(access_pass.token_sealed)
    assert len(token) >= 22  # at least 128 bits of randomness, URL-safe
    assert access_pass.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in access_pass.token_sealed
    assert (access_pass.state, access_pass.revision) == (AccessPass.State.ACTIVE, 1)
    [pass_grant, plate_grant] = grants(subscription)
    assert (pass_grant.kind, pass_grant.credential) == (Kind.PASS, access_pass.token_hash)
    # From the first day's midnight in Quebec to the midnight after the last day.
    assert pass_grant.contract_from == pass_grant.valid_from == midnight(AUTUMN[0])
    assert pass_grant.valid_until == midnight(AUTUMN[1] + dt.timedelta(days=1))
    assert (plate_grant.kind, plate_grant.credential, plate_grant.jurisdiction) == (
        Kind.PLATE,
        "ABC123",
        "QC",
    )
    assert plate_grant.valid_from == midnight(AUTUMN[0])  # in effect long before
    assert {g.state for g in (pass_grant, plate_grant)} == {AccessGrant.State.VALID}
    assert sorted([pass_grant.revision, plate_grant.revision]) == [1, 2]
    assert result.grants_changed == 2
    assert AuditEvent.objects.filter(action="access.pass_issued").count() == 1


def test_a_second_sync_writes_nothing(product, person):
    add_vehicle(person, plate="abc-123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    before = [(g.pk, g.revision, g.updated_at) for g in grants(subscription)]
    access_pass = AccessPass.objects.get(subscription=subscription)

    result = access_sync(subscription=subscription, now=NOW + HOUR)

    assert result.grants_changed == 0 and not result.pass_changed
    assert [(g.pk, g.revision, g.updated_at) for g in grants(subscription)] == before
    assert AccessPass.objects.get(pk=access_pass.pk).revision == access_pass.revision
    assert revision_counter(subscription.organization) == 2
    assert AccessPass.objects.count() == 1


def test_a_multisite_permit_opens_every_lot_of_the_product(organization, person):
    lots = [ParkingLotFactory(organization=organization, number=n) for n in ("5432", "1461")]
    product = PermitProductFactory(organization=organization, lots=lots, categories=[])
    product.categories.add(
        __import__("tests.factories", fromlist=["UserCategoryFactory"]).UserCategoryFactory(
            organization=organization
        )
    )
    add_vehicle(person, plate="MULTI1", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)

    access_sync(subscription=subscription, now=NOW)

    rows = [(g.lot.number, g.kind) for g in grants(subscription)]
    assert rows == [
        ("1461", Kind.PASS),
        ("1461", Kind.PLATE),
        ("5432", Kind.PASS),
        ("5432", Kind.PLATE),
    ]


def test_a_vehicle_change_opens_24_hours_later_and_the_old_plate_closes_then(product, person):
    vehicle = add_vehicle(person, plate="OLD111", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    access_pass = AccessPass.objects.get(subscription=subscription)
    [old] = grants(subscription, kind=Kind.PLATE)
    pass_grant_revision = grants(subscription, kind=Kind.PASS)[0].revision

    from parcauto.vehicles.services import vehicle_update
    from tests.access.conftest import VehicleData  # type: ignore[attr-defined]

    changed_at = at(dt.date(2026, 9, 10), 14, 30)
    vehicle_update(
        vehicle=vehicle,
        data=VehicleData(
            plate="NEW222", jurisdiction="ON", make="Honda", model="Civic", year=2021, colour="Bleu"
        ),
        actor=person,
        now=changed_at,
    )
    result = access_sync(subscription=subscription, now=changed_at)

    in_effect = changed_at + 24 * HOUR
    [old_after] = grants(subscription, credential="OLD111")
    [new] = grants(subscription, credential="NEW222")
    assert old_after.pk == old.pk and old_after.valid_until == in_effect
    assert (new.valid_from, new.valid_until, new.jurisdiction) == (
        in_effect,
        midnight(AUTUMN[1] + dt.timedelta(days=1)),
        "ON",
    )
    assert new.contract_from == midnight(AUTUMN[0])  # before valid_from: "not yet in effect"
    assert result.grants_changed == 2
    assert old_after.revision > old.revision and new.revision > old.revision
    # The pass grant did not change: no new revision for it.
    assert grants(subscription, kind=Kind.PASS)[0].revision == pass_grant_revision
    # A wallet shows the plates: the pass is updated in place.
    assert result.pass_changed
    assert AccessPass.objects.get(pk=access_pass.pk).revision == access_pass.revision + 1


def test_a_removed_vehicle_stays_valid_until_its_delay_passes(product, person):
    vehicle = add_vehicle(person, plate="GONE11", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)

    from parcauto.vehicles.services import vehicle_remove

    removed_at = at(dt.date(2026, 10, 1))
    vehicle_remove(vehicle=vehicle, actor=person, now=removed_at)
    access_sync(subscription=subscription, now=removed_at)

    [plate] = grants(subscription, kind=Kind.PLATE)
    assert plate.valid_until == removed_at + 24 * HOUR
    assert plate.state == AccessGrant.State.VALID


@pytest.mark.parametrize(
    ("status", "pass_state", "grant_state"),
    [
        (Status.ACTIVE, AccessPass.State.ACTIVE, AccessGrant.State.VALID),
        (Status.ENDING, AccessPass.State.ACTIVE, AccessGrant.State.VALID),
        (Status.SUSPENDED, AccessPass.State.SUSPENDED, AccessGrant.State.SUSPENDED),
        (Status.ENDED, AccessPass.State.VOIDED, AccessGrant.State.CANCELLED),
        (Status.CANCELLED, AccessPass.State.VOIDED, AccessGrant.State.CANCELLED),
        (Status.PAYMENT_FAILED, AccessPass.State.VOIDED, AccessGrant.State.CANCELLED),
    ],
)
def test_the_pass_and_grants_follow_the_contract_status(
    product, person, status, pass_state, grant_state
):
    add_vehicle(person, plate="ABC123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    first = AccessPass.objects.get(subscription=subscription)

    Subscription.objects.filter(pk=subscription.pk).update(status=status)
    access_sync(subscription=subscription, now=NOW + HOUR)

    access_pass = AccessPass.objects.get(subscription=subscription)
    assert access_pass.state == pass_state
    assert {g.state for g in grants(subscription)} == {grant_state}
    moved = status != Status.ACTIVE and pass_state != AccessPass.State.ACTIVE
    assert access_pass.revision == first.revision + (1 if moved else 0)
    # The ranges themselves are kept as they were: history for gates and patrol.
    assert {g.valid_from for g in grants(subscription, kind=Kind.PASS)} == {midnight(AUTUMN[0])}


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.REFUSED, Status.CANCELLED])
def test_a_request_never_approved_gets_no_pass(product, person, status):
    add_vehicle(person, plate="ABC123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person, status=status)

    result = access_sync(subscription=subscription, now=NOW)

    assert result.pass_id is None
    assert not AccessPass.objects.exists()
    assert not AccessGrant.objects.exists()


def test_a_suspended_contract_reactivated_gets_its_grants_valid_again(product, person):
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    Subscription.objects.filter(pk=subscription.pk).update(status=Status.SUSPENDED)
    access_sync(subscription=subscription, now=NOW + HOUR)
    Subscription.objects.filter(pk=subscription.pk).update(status=Status.ACTIVE)

    access_sync(subscription=subscription, now=NOW + 2 * HOUR)

    access_pass = AccessPass.objects.get(subscription=subscription)
    assert access_pass.state == AccessPass.State.ACTIVE
    assert access_pass.revision == 3  # suspended, then active again: two updates
    assert {g.state for g in grants(subscription)} == {AccessGrant.State.VALID}


def test_new_dates_update_the_same_pass_and_grants_in_place(product, person):
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    [before] = grants(subscription)
    access_pass = AccessPass.objects.get(subscription=subscription)

    Subscription.objects.filter(pk=subscription.pk).update(
        start_date=dt.date(2026, 8, 31), end_date=dt.date(2027, 1, 10)
    )
    access_sync(subscription=subscription, now=NOW + HOUR)

    [after] = grants(subscription)
    assert after.pk == before.pk  # the row moved, no revoked leftover
    assert (after.valid_from, after.valid_until) == (
        midnight(dt.date(2026, 8, 31)),
        midnight(dt.date(2027, 1, 11)),
    )
    refreshed = AccessPass.objects.get(pk=access_pass.pk)
    assert refreshed.serial_number == access_pass.serial_number
    assert refreshed.token_hash == access_pass.token_hash
    assert refreshed.revision == access_pass.revision + 1


def test_an_open_ended_contract_has_open_ended_grants(product, person):
    subscription = contract(product, person, end=None)
    access_sync(subscription=subscription, now=NOW)
    [pass_grant] = grants(subscription)
    assert pass_grant.valid_until is None


def test_the_wallet_tasks_are_queued_with_the_pass_when_it_changes(
    product, person, settings, django_capture_on_commit_callbacks
):
    settings.PARCAUTO_PASS_CHANGED_TASKS = ["tests.access.recorder.record_pass_change"]
    from tests.access import recorder

    recorder.calls.clear()
    subscription = contract(product, person)
    with django_capture_on_commit_callbacks(execute=True):
        access_sync(subscription=subscription, now=NOW)
    assert recorder.calls == []  # just issued: no wallet holds it yet
    access_pass = AccessPass.objects.get(subscription=subscription)

    Subscription.objects.filter(pk=subscription.pk).update(status=Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=True):
        access_sync(subscription=subscription, now=NOW + HOUR)
        assert recorder.calls == []  # not before the commit
    assert recorder.calls == [
        {"organization_id": subscription.organization_id, "pass_id": access_pass.pk}
    ]
    with django_capture_on_commit_callbacks(execute=True):
        access_sync(subscription=subscription, now=NOW + 2 * HOUR)
    assert len(recorder.calls) == 1  # nothing changed: nothing queued


def test_a_plate_shows_its_last_minute_not_the_excluded_midnight_after_it():
    plate = PlateShown(
        plate="CEG2027",
        jurisdiction="QC",
        valid_from=midnight(WINTER[0]),
        valid_until=midnight(WINTER[1] + dt.timedelta(days=1)),
    )
    assert plate.last_minute == at(WINTER[1], 23, 59)
    assert plate.in_effect(at(WINTER[1], 23, 59))
    assert not plate.in_effect(midnight(WINTER[1] + dt.timedelta(days=1)))


def test_forgetting_a_closed_accounts_plates_revokes_them_under_a_new_revision(product, person):
    add_vehicle(person, plate="abc-123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person, status=Status.APPROVED)
    access_sync(subscription=subscription, now=NOW)
    [pass_before, plate_before] = grants(subscription)
    last_revision = revision_counter(subscription.organization)

    assert grants_forget_plates(contracts=[subscription], now=NOW) == 1
    assert grants_forget_plates(contracts=[subscription], now=NOW) == 0  # once only

    [pass_after, plate_after] = grants(subscription)
    assert pass_after.revision == pass_before.revision  # the pass is not a person's data
    assert plate_after.pk == plate_before.pk  # kept: a controller drops it by id
    assert (plate_after.credential, plate_after.jurisdiction, plate_after.state) == (
        f"erased-{plate_before.pk}",
        "",
        AccessGrant.State.REVOKED,
    )
    assert plate_after.revision == last_revision + 1 == revision_counter(subscription.organization)
    delta = allowlist_version(lot=subscription.lot, since=last_revision, now=NOW)
    assert (delta.revision, delta.rows) == (plate_after.revision, 1)
