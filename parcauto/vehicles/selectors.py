"""Reads of vehicles: a person's list, the suggestions list, and what patrol applies when."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import OuterRef, QuerySet, Subquery

from parcauto.accounts.models import User

from .models import Vehicle, VehicleChange
from .normalizers import plate_match_key

_MAKES_FILE = Path(__file__).resolve().parent / "data" / "makes_and_models.json"


def vehicle_list(*, owner: User) -> QuerySet[Vehicle]:
    """The person's vehicles, oldest first; removed ones are history, not listed."""
    return Vehicle.objects.filter(owner=owner, removed_at__isnull=True).order_by("created_at", "id")


def vehicle_get_for_owner(*, owner: User, pk: int) -> Vehicle | None:
    """One of the person's own vehicles; None for anyone else's or a removed one."""
    return vehicle_list(owner=owner).filter(pk=pk).first()


def vehicle_count(*, owner: User) -> int:
    return vehicle_list(owner=owner).count()


def vehicle_pending_until(*, vehicles: list[Vehicle], at: dt.datetime) -> dict[int, dt.datetime]:
    """Vehicle id -> when its latest change reaches patrol, for those not there yet at `at`."""
    pending = (
        VehicleChange.objects.filter(vehicle__in=vehicles, effective_at__gt=at)
        .order_by("vehicle_id", "effective_at")
        .values_list("vehicle_id", "effective_at")
    )
    return dict(pending)  # the last (latest) per vehicle wins


# --- What patrol and plate cameras apply ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VehicleInEffect:
    """A vehicle as patrol and cameras know it at a given moment."""

    vehicle_id: int
    owner_id: int
    plate: str
    jurisdiction: str
    make: str
    model: str
    year: int
    colour: str
    since: dt.datetime  # when this state took effect

    @property
    def plate_match_key(self) -> str:
        return plate_match_key(self.plate)


def changes_in_effect(*, at: dt.datetime) -> QuerySet[VehicleChange]:
    """For each vehicle, the last change in effect at `at`, removals excluded.

    A change is in effect once `effective_at <= at`; `effective_at` never decreases along
    one vehicle's changes (services.py), so the last one in effect is the latest of them.
    Narrow it further (owner, plate key) before reading: one subquery per row.
    """
    latest = (
        VehicleChange.objects.filter(vehicle=OuterRef("vehicle"), effective_at__lte=at)
        .order_by("-effective_at", "-id")
        .values("id")[:1]
    )
    return (
        VehicleChange.objects.filter(effective_at__lte=at, id=Subquery(latest))
        .exclude(action=VehicleChange.Action.REMOVED)
        .select_related("vehicle")
    )


def _in_effect(changes: QuerySet[VehicleChange]) -> list[VehicleInEffect]:
    result = []
    for change in changes.order_by("effective_at", "id"):
        state = change.after or {}
        result.append(
            VehicleInEffect(
                vehicle_id=change.vehicle_id,
                owner_id=change.vehicle.owner_id,
                plate=state["plate"],
                jurisdiction=state["jurisdiction"],
                make=state["make"],
                model=state["model"],
                year=state["year"],
                colour=state["colour"],
                since=change.effective_at,
            )
        )
    return result


def vehicles_in_effect(*, owner: User, at: dt.datetime) -> list[VehicleInEffect]:
    """The person's vehicles as patrol and cameras must recognise them at `at`.

    An addition counts from its effective time, a change replaces the previous data from
    its own, a removal keeps the vehicle recognised until then.
    """
    return _in_effect(changes_in_effect(at=at).filter(vehicle__owner=owner))


def vehicles_in_effect_for_plate(*, plate: str, at: dt.datetime) -> list[VehicleInEffect]:
    """Every account's vehicle whose plate in effect at `at` looks like `plate` (same key).

    Candidates only: an OCR-equivalent hit needs a person to confirm it (rule 48).
    """
    key = plate_match_key(plate)
    return _in_effect(changes_in_effect(at=at).filter(plate_match_key=key))


# --- Suggestions for the form -----------------------------------------------------------


@dataclass(frozen=True)
class Make:
    name: str
    models: tuple[str, ...]


@cache
def vehicle_makes() -> tuple[Make, ...]:
    """Makes common in Quebec and their main models (data/makes_and_models.json)."""
    document = json.loads(_MAKES_FILE.read_text(encoding="utf-8"))
    return tuple(Make(entry["name"], tuple(entry["models"])) for entry in document["makes"])


@cache
def _makes_by_key() -> dict[str, Make]:
    return {make.name.casefold(): make for make in vehicle_makes()}


def vehicle_make_names() -> list[str]:
    return [make.name for make in vehicle_makes()]


def vehicle_model_names(*, make: str) -> list[str]:
    """The main models of `make` (any case, surrounding spaces ignored); [] if unknown."""
    found = _makes_by_key().get(make.strip().casefold())
    return list(found.models) if found else []


def vehicle_make_canonical(make: str) -> str:
    """`toyota ` -> `Toyota`; a make not in the list is kept as typed (stripped)."""
    found = _makes_by_key().get(make.strip().casefold())
    return found.name if found else make.strip()


def vehicle_model_canonical(*, make: str, model: str) -> str:
    """`rav4` -> `RAV4` for a Toyota; a model not in the list is kept as typed (stripped)."""
    for name in vehicle_model_names(make=make):
        if name.casefold() == model.strip().casefold():
            return name
    return model.strip()
