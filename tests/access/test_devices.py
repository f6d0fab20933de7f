"""Devices: registered per lot, a key shown once and stored hashed, rotated, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django_scopes import ScopeError

from parcauto.access.devices import (
    InvalidDevice,
    InvalidKey,
    RevokedKey,
    device_authenticate,
    device_register,
    device_revoke,
    device_rotate_key,
    devices_forget,
    lanes_parse,
)
from parcauto.access.models import Device
from parcauto.audit.models import AuditEvent
from tests.factories import ParkingLotFactory
from tests.scoping import unscoped, within

from .conftest import NOW
from .grants import device_of, manager_of

pytestmark = pytest.mark.django_db


def test_a_registered_device_gets_a_key_shown_once_and_stored_hashed(offer):
    issued = device_of(offer.lot, name="Barrière nord", lanes=" Entrée A ,Sortie A,", at=NOW)
    key_id, secret = issued.key.split(".")
    device = Device.objects.get()
    assert (device.key_id, device.lanes, device.lot_id) == (
        key_id,
        "Entrée A, Sortie A",
        offer.lot.pk,
    )
    assert device.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(Device.objects.values().get())
    event = AuditEvent.objects.get(action="access.device_registered")
    assert (event.organization_id, event.target_id) == (offer.organization.pk, str(device.pk))
    assert secret not in str(event.data)


def test_the_key_authenticates_its_device_from_no_scope(offer):
    issued = device_of(offer.lot, at=NOW)
    device = unscoped(device_authenticate)(key=issued.key, now=NOW)
    assert (device.pk, device.lot.pk) == (issued.device.pk, offer.lot.pk)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # wrong secret
        lambda key: "0" * 16 + key[16:],  # unknown key id
        lambda key: key.replace(".", ":"),
        lambda key: key + "x",
        lambda key: "",
        lambda key: key.upper(),
    ],
)
def test_anything_but_the_exact_key_is_invalid(offer, mangle):
    issued = device_of(offer.lot, at=NOW)
    with pytest.raises(InvalidKey):
        unscoped(device_authenticate)(key=mangle(issued.key), now=NOW)


def test_a_rotated_key_replaces_the_old_one_at_once(offer):
    issued = device_of(offer.lot, at=NOW)
    rotated = device_rotate_key(device=issued.device, actor=manager_of(offer.lot), now=NOW)
    with pytest.raises(InvalidKey):
        unscoped(device_authenticate)(key=issued.key, now=NOW)
    assert unscoped(device_authenticate)(key=rotated.key, now=NOW).pk == issued.device.pk
    assert AuditEvent.objects.filter(action="access.device_key_rotated").count() == 1


def test_a_revoked_device_never_authenticates_again(offer):
    issued = device_of(offer.lot, at=NOW)
    device_revoke(device=issued.device, actor=manager_of(offer.lot), now=NOW)
    device_revoke(device=issued.device, actor=manager_of(offer.lot), now=NOW)  # no-op
    with pytest.raises(RevokedKey):
        unscoped(device_authenticate)(key=issued.key, now=NOW)
    assert AuditEvent.objects.filter(action="access.device_revoked").count() == 1


def test_last_seen_is_written_at_most_once_a_minute(offer, django_assert_num_queries):
    issued = device_of(offer.lot, at=NOW)
    authenticate = unscoped(device_authenticate)
    with django_assert_num_queries(2):  # the device, then its last contact
        authenticate(key=issued.key, now=NOW)
    with django_assert_num_queries(0):  # remembered a few seconds in this process
        authenticate(key=issued.key, now=NOW + dt.timedelta(seconds=59))
    with django_assert_num_queries(1):
        authenticate(key=issued.key, now=NOW + dt.timedelta(seconds=61))
    assert Device.objects.get().last_seen_at == NOW + dt.timedelta(seconds=61)


def test_a_key_revoked_elsewhere_stops_once_this_process_forgets_it(offer):
    """Another server's revocation reaches this one within `KNOWN_FOR_SECONDS`."""
    issued = device_of(offer.lot, at=NOW)
    authenticate = unscoped(device_authenticate)
    authenticate(key=issued.key, now=NOW)
    Device.objects.update(revoked_at=NOW)  # as another process's revocation writes it
    assert authenticate(key=issued.key, now=NOW).pk == issued.device.pk
    devices_forget()  # what the delay does
    with pytest.raises(RevokedKey):
        authenticate(key=issued.key, now=NOW)


def test_a_device_name_is_unique_in_its_institution(offer):
    device_of(offer.lot, name="Barrière A", at=NOW)
    with pytest.raises(InvalidDevice) as refused:
        device_of(offer.lot, name=" Barrière A ", at=NOW)
    assert (refused.value.code, refused.value.field) == ("duplicate_name", "name")


def test_a_device_belongs_to_a_lot_of_its_institution(offer, other_organization):
    with within(other_organization):
        theirs = ParkingLotFactory(organization=other_organization)
    with pytest.raises(InvalidDevice) as refused:
        device_register(
            organization=offer.organization,
            lot=theirs,
            name="Intrus",
            kind=Device.Kind.GATE_READER,
            lanes="",
            actor=manager_of(offer.lot),
            now=NOW,
        )
    assert refused.value.field == "lot"


@pytest.mark.parametrize(
    "lanes",
    [
        "A" * 31,
        "Entrée <b>",
        "x\x00y",
        ", ".join(["Voie 10"] * 1) + ", " + ", ".join(f"Voie {n:03d}" for n in range(30)),
    ],
)
def test_lanes_are_short_plain_names(lanes):
    with pytest.raises(InvalidDevice):
        lanes_parse(lanes)


def test_lanes_are_trimmed_and_each_kept_once():
    assert lanes_parse(" Entrée 1,Sortie 1 , Entrée 1,,") == ["Entrée 1", "Sortie 1"]


def test_devices_are_tenant_rows():
    with pytest.raises(ScopeError):
        Device.objects.count()
