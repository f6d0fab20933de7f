"""Vehicle use cases: add, change, remove; each one recorded with when patrol applies it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.core.clock import local_today
from parcauto.core.tasks import enqueue_by_name
from parcauto.tenants.models import Organization

from .errors import (
    DuplicatePlate,
    InvalidVehicleData,
    TooManyVehicles,
    VehicleNeeded,
    VehicleRemoved,
)
from .models import FIRST_MODEL_YEAR, JURISDICTION_CODES, Vehicle, VehicleChange
from .normalizers import normalize_plate, plate_match_key
from .selectors import vehicle_make_canonical, vehicle_model_canonical

_MAX_LENGTHS = {"make": 50, "model": 50, "colour": 30}
# Rewrites the plates of the person's contracts on every portal (access sits above: by name).
ACCESS_SYNC_PERSON_TASK = "parcauto.access.tasks.access_sync_person"


@dataclass(frozen=True, kw_only=True)
class VehicleData:
    """What a person says about a vehicle; services normalise it before storing."""

    plate: str
    jurisdiction: str
    make: str
    model: str
    year: int
    colour: str


def activation_delay() -> dt.timedelta:
    """How long a vehicle change takes to reach patrol and plate cameras (rule 19)."""
    return dt.timedelta(hours=settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS)


def vehicle_data_clean(data: VehicleData, *, now: dt.datetime) -> VehicleData:
    """The stored form of `data`, or InvalidVehicleData naming the field at fault.

    Forms check the same things first; this is the guarantee for every other caller.
    """
    if data.jurisdiction not in JURISDICTION_CODES:
        raise InvalidVehicleData(field="jurisdiction", message=_("Choose a province or state."))
    try:
        plate = normalize_plate(data.plate, jurisdiction=data.jurisdiction)
    except ValidationError as error:
        raise InvalidVehicleData(field="plate", message=error.messages[0]) from None
    last_year = local_today(now).year + 1
    if not FIRST_MODEL_YEAR <= data.year <= last_year:
        raise InvalidVehicleData(
            field="year",
            message=_("Enter a year from %(first)d to %(last)d.")
            % {"first": FIRST_MODEL_YEAR, "last": last_year},
        )
    make = vehicle_make_canonical(data.make)
    cleaned = replace(
        data,
        plate=plate,
        make=make,
        model=vehicle_model_canonical(make=make, model=data.model),
        colour=" ".join(data.colour.split()),
    )
    for name, limit in _MAX_LENGTHS.items():
        value = getattr(cleaned, name)
        if not value:
            raise InvalidVehicleData(field=name, message=_("Required field"))
        if len(value) > limit:
            raise InvalidVehicleData(
                field=name,
                message=_("Use at most %(limit)d characters.") % {"limit": limit},
            )
    return cleaned


def _record(
    *,
    vehicle: Vehicle,
    action: str,
    before: dict[str, Any] | None,
    actor: User | None,
    organization: Organization | None,
    now: dt.datetime,
) -> VehicleChange:
    """The history row, and the audit event naming it (field names only, no plate)."""
    after = None if action == VehicleChange.Action.REMOVED else vehicle.data()
    # Never earlier than the vehicle's previous change: if the delay is shortened, an
    # older change must not overtake a newer one (selectors read the latest in effect).
    previous = (
        VehicleChange.objects.filter(vehicle=vehicle)
        .order_by("-effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )
    effective_at = max(now + activation_delay(), previous or now)
    change = VehicleChange.objects.create(
        vehicle=vehicle,
        action=action,
        before=before,
        after=after,
        plate_match_key=plate_match_key(str((after or before or {})["plate"])),
        actor=actor if actor is not None and actor.is_authenticated else None,
        changed_at=now,
        effective_at=effective_at,
    )
    fields = sorted(
        name for name in vehicle.data() if (before or {}).get(name) != (after or {}).get(name)
    )
    audit_log(
        action=f"vehicle.{action}",
        actor=actor,
        organization=organization,
        target=vehicle,
        data={"change": change.pk, "fields": fields, "effective_at": effective_at.isoformat()},
    )
    # The plate grants are stored ranges: the new one starts at `effective_at`, the old
    # one ends there, written now (no job has to run when the delay is over).
    enqueue_by_name(ACCESS_SYNC_PERSON_TASK, person_id=vehicle.owner_id)
    return change


def _lock_owner(owner: User) -> None:
    # One writer per account at a time: the count and duplicate checks below then hold
    # (a PostgreSQL row lock; SQLite's IMMEDIATE transactions already queue writers).
    User.objects.select_for_update().filter(pk=owner.pk).values_list("pk").first()


def _refuse_duplicate(*, owner: User, plate: str, exclude: Vehicle | None = None) -> None:
    others = Vehicle.objects.filter(owner=owner, plate=plate, removed_at__isnull=True)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise DuplicatePlate(plate=plate)


def vehicle_add(
    *,
    owner: User,
    data: VehicleData,
    actor: User | None,
    now: dt.datetime,
    organization: Organization | None = None,
) -> Vehicle:
    """Register a vehicle on the person's account; patrol recognises it after the delay.

    `organization`: the portal it was done from, for the audit trail only.
    """
    data = vehicle_data_clean(data, now=now)
    with transaction.atomic():
        _lock_owner(owner)
        limit = settings.PARCAUTO_MAX_VEHICLES_PER_ACCOUNT
        if Vehicle.objects.filter(owner=owner, removed_at__isnull=True).count() >= limit:
            raise TooManyVehicles(limit=limit)
        _refuse_duplicate(owner=owner, plate=data.plate)
        vehicle = Vehicle.objects.create(
            owner=owner, plate_match_key=plate_match_key(data.plate), **asdict(data)
        )
        _record(
            vehicle=vehicle,
            action=VehicleChange.Action.ADDED,
            before=None,
            actor=actor,
            organization=organization,
            now=now,
        )
    return vehicle


def vehicle_update(
    *,
    vehicle: Vehicle,
    data: VehicleData,
    actor: User | None,
    now: dt.datetime,
    organization: Organization | None = None,
) -> VehicleChange | None:
    """Change a vehicle's data; the previous data stays in effect until the delay passes.

    Returns the history row, or None when nothing changed (nothing is recorded then).
    """
    data = vehicle_data_clean(data, now=now)
    with transaction.atomic():
        _lock_owner(vehicle.owner)
        current = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if current.removed_at is not None:
            raise VehicleRemoved
        before = current.data()
        if before == asdict(data):
            return None
        _refuse_duplicate(owner=current.owner, plate=data.plate, exclude=current)
        for name, value in asdict(data).items():
            setattr(current, name, value)
        current.plate_match_key = plate_match_key(data.plate)
        current.save()
        change = _record(
            vehicle=current,
            action=VehicleChange.Action.CHANGED,
            before=before,
            actor=actor,
            organization=organization,
            now=now,
        )
    vehicle.refresh_from_db()
    return change


def vehicle_remove(
    *,
    vehicle: Vehicle,
    actor: User | None,
    now: dt.datetime,
    keep_at_least: int = 0,
    organization: Organization | None = None,
) -> VehicleChange:
    """Take a vehicle off the account; patrol keeps recognising it until the delay passes.

    `keep_at_least`: how many vehicles the person's active contracts still need (the
    caller knows them; vehicles does not look at subscriptions). The row stays, marked
    removed, for patrol history.
    """
    with transaction.atomic():
        _lock_owner(vehicle.owner)
        current = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if current.removed_at is not None:
            raise VehicleRemoved
        active = Vehicle.objects.filter(owner_id=current.owner_id, removed_at__isnull=True)
        if active.count() - 1 < keep_at_least:
            raise VehicleNeeded(needed=keep_at_least)
        current.removed_at = now
        current.save(update_fields=["removed_at", "updated_at"])
        change = _record(
            vehicle=current,
            action=VehicleChange.Action.REMOVED,
            before=current.data(),
            actor=actor,
            organization=organization,
            now=now,
        )
    vehicle.refresh_from_db()
    return change
