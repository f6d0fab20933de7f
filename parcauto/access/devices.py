"""Devices of a lot (gate readers, plate cameras, patrol phones) and their API keys.

A key is `<key_id>.<secret>`: 16 hex digits that find the device by index, a dot, and 43
URL-safe characters (256 random bits). Only the secret's SHA-256 is stored: the key is
shown once, when it is issued or rotated, and a lost one is replaced, never shown again.
A revoked device keeps its row (its events point at it) and never authenticates again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import ParkingLot
from parcauto.core.errors import DomainError
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import credential_holder

from .models import AccessEvent, Device

_KEY = re.compile(r"([0-9a-f]{16})\.([A-Za-z0-9_-]{43})", re.ASCII)
# A device's last contact is worth one UPDATE a minute, not one per decision.
LAST_SEEN_EVERY = dt.timedelta(minutes=1)
LANE_MAX_LENGTH = AccessEvent._meta.get_field("lane").max_length or 30
_LANE = re.compile(r"[\w .'-]+")


class DeviceError(DomainError):
    code = "device_error"


class InvalidKey(DeviceError):
    """No device has this key: malformed, unknown, or a secret that does not match."""

    code = "invalid_key"

    def __init__(self) -> None:
        super().__init__(_("This API key is not valid."))


class RevokedKey(DeviceError):
    code = "revoked_key"

    def __init__(self) -> None:
        super().__init__(_("This device was revoked: its API key no longer works."))


class DeviceRevoked(DeviceError):
    code = "device_revoked"

    def __init__(self) -> None:
        super().__init__(_("This device was revoked: register a new one instead."))


class InvalidDevice(DeviceError):
    """A registration refused: `field` names the form field at fault."""

    def __init__(self, message: object, *, code: str, field: str) -> None:
        super().__init__(str(message), code=code)
        self.field = field


@dataclass(frozen=True)
class IssuedKey:
    """A device and its new key, which is shown to the manager once and stored nowhere."""

    device: Device
    key: str


def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    """(key id, whole key)."""
    key_id = secrets.token_hex(8)
    return key_id, f"{key_id}.{secrets.token_urlsafe(32)}"


def lanes_parse(text: str) -> list[str]:
    """`"Entrée A, Sortie B"` -> `["Entrée A", "Sortie B"]`: trimmed, each once, each a
    short name of letters, digits, spaces and dashes; InvalidDevice otherwise."""
    lanes = list(dict.fromkeys(lane.strip() for lane in text.split(",") if lane.strip()))
    for lane in lanes:
        if len(lane) > LANE_MAX_LENGTH or not _LANE.fullmatch(lane):
            raise InvalidDevice(
                _("Name each lane with at most %(max)d letters, digits, spaces or dashes.")
                % {"max": LANE_MAX_LENGTH},
                code="invalid_lanes",
                field="lanes",
            )
    if len(", ".join(lanes)) > (Device._meta.get_field("lanes").max_length or 200):
        raise InvalidDevice(
            _("Too many lanes for one device."), code="invalid_lanes", field="lanes"
        )
    return lanes


def device_lanes(device: Device) -> list[str]:
    return [lane.strip() for lane in device.lanes.split(",") if lane.strip()]


@transaction.atomic
def device_register(
    *,
    organization: Organization,
    lot: ParkingLot,
    name: str,
    kind: str,
    lanes: str,
    actor: User,
    now: dt.datetime,
) -> IssuedKey:
    """A new device of `lot` with its first key (shown once), audited."""
    if lot.organization_id != organization.pk:
        raise InvalidDevice(_("Choose a lot of this institution."), code="invalid_lot", field="lot")
    if kind not in Device.Kind.values:
        raise InvalidDevice(_("Choose a kind of device."), code="invalid_kind", field="kind")
    name = name.strip()
    if not name:
        raise InvalidDevice(_("Give the device a name."), code="required", field="name")
    key_id, key = _new_key()
    device = Device(
        organization=organization,
        lot=lot,
        name=name,
        kind=kind,
        lanes=", ".join(lanes_parse(lanes)),
        key_id=key_id,
        key_hash=key_digest(key.split(".", 1)[1]),
        key_issued_at=now,
    )
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise InvalidDevice(
            _("This institution already has a device with this name."),
            code="duplicate_name",
            field="name",
        ) from None
    audit_log(
        action="access.device_registered",
        actor=actor,
        organization=organization,
        target=device,
        data={"lot": lot.pk, "name": device.name, "kind": kind, "lanes": device.lanes},
    )
    return IssuedKey(device=device, key=key)


@transaction.atomic
def device_rotate_key(*, device: Device, actor: User, now: dt.datetime) -> IssuedKey:
    """A new key for `device` (shown once); the old one stops working at once."""
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.revoked_at is not None:
        raise DeviceRevoked
    devices_forget(locked.key_id)
    key_id, key = _new_key()
    locked.key_id = key_id
    locked.key_hash = key_digest(key.split(".", 1)[1])
    locked.key_issued_at = now
    locked.save(update_fields=["key_id", "key_hash", "key_issued_at", "updated_at"])
    audit_log(
        action="access.device_key_rotated",
        actor=actor,
        organization=locked.organization,
        target=locked,
        data={"key_id": key_id},
    )
    return IssuedKey(device=locked, key=key)


@transaction.atomic
def device_revoke(*, device: Device, actor: User, now: dt.datetime) -> Device:
    """The device's key stops working for good; its events stay. Revoking twice is a no-op."""
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at", "updated_at"])
    devices_forget(locked.key_id)
    audit_log(
        action="access.device_revoked",
        actor=actor,
        organization=locked.organization,
        target=locked,
        data={"key_id": locked.key_id},
    )
    return locked


# key id -> (monotonic time it expires, the device with its lot), in this process: a gate
# asks at every car, and reading the device and its lot is a third of a decision's CPU.
# A key rotated or revoked in another process stops working here within this delay.
KNOWN_FOR_SECONDS = 5.0
_known: dict[str, tuple[float, Device | None]] = {}
_KNOWN_MAX = 10_000  # made-up key ids must not grow it forever


def devices_forget(key_id: str | None = None) -> None:
    """Forget one key's device in this process (rotated, revoked), or all (tests)."""
    if key_id is None:
        _known.clear()
    else:
        _known.pop(key_id, None)


def _device_of(key_id: str) -> Device | None:
    clock = time.monotonic()
    known = _known.get(key_id)
    if known is None or known[0] <= clock:
        if len(_known) >= _KNOWN_MAX:
            _known.clear()
        device = credential_holder(Device, with_related=("lot",), key_id=key_id)
        known = _known[key_id] = (clock + KNOWN_FOR_SECONDS, device)
    return known[1]


def device_authenticate(*, key: str, now: dt.datetime) -> Device:
    """The device whose key this is, with its lot; InvalidKey or RevokedKey otherwise.

    Found by its key id on any host (`tenants.scoping.credential_holder`), remembered a few
    seconds in this process; the secret is compared in constant time on every request.
    Its last contact is written at most once a minute.
    """
    parts = _KEY.fullmatch(key)
    if parts is None:
        raise InvalidKey
    key_id, secret = parts.groups()
    device = _device_of(key_id)
    if device is None or not hmac.compare_digest(device.key_hash, key_digest(secret)):
        raise InvalidKey
    if device.revoked_at is not None:
        raise RevokedKey
    if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_EVERY:
        with scope(organization=device.organization_id):
            Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device
