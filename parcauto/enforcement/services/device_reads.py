"""Plate reads sent by plate cameras and patrol phones (`POST /api/v1/plates/checks`).

A batch is all or nothing before any check: every read's plate, province, lot and time
are judged first, and one bad read refuses the batch (its error names it, `reads.<n>.`),
so a device that fixes it and sends the batch again gets every read checked once.

Where a device may check: a plate camera watches its own lot only; a patrol phone
walks from lot to lot of its institution. Another institution's lot does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from parcauto.access.decisions import (
    ClockSkew,
    Credential,
    DecisionError,
    UnknownLot,
    device_lot,
    max_clock_skew,
    plate_credential,
)
from parcauto.access.models import Device
from parcauto.catalog.models import ParkingLot

from ..models import PlateCheck
from .checks import plate_check

PLATE_READERS = (Device.Kind.PLATE_CAMERA, Device.Kind.PATROL_PHONE)


class NotAPlateReader(DecisionError):
    """A gate reader's key: it decides at its gate, it does not check parked cars."""

    code = "forbidden"

    def __init__(self) -> None:
        super().__init__(_("Only plate cameras and patrol phones check plates."))


@dataclass(frozen=True)
class PlateRead:
    read_id: str
    plate: str
    jurisdiction: str
    read_at: dt.datetime | None = None
    lot_id: int | None = None
    camera: str = ""
    confidence: Decimal | None = None


@dataclass(frozen=True)
class _Judged:
    read: PlateRead
    lot: ParkingLot
    credential: Credential
    read_at: dt.datetime


def _lot(device: Device, lot_id: int | None, lots: dict[int, ParkingLot]) -> ParkingLot:
    wanted = device.lot_id if lot_id is None else lot_id
    if wanted not in lots:
        if device.kind == Device.Kind.PATROL_PHONE:
            # In the device's institution's scope: another institution's lot is not found.
            found = ParkingLot.objects.filter(pk=wanted).first()
            if found is None:
                raise UnknownLot
            lots[wanted] = found
        else:
            lots[wanted] = device_lot(device, wanted)
    return lots[wanted]


def _judged(device: Device, read: PlateRead, now: dt.datetime, lots: dict) -> _Judged:
    credential = plate_credential(read.plate, read.jurisdiction)
    lot = _lot(device, read.lot_id, lots)
    at = read.read_at or now
    if at - now > max_clock_skew():
        raise ClockSkew(skew=at - now)
    return _Judged(read, lot, credential, at)


def plate_reads_check(
    *, device: Device, reads: list[PlateRead], now: dt.datetime
) -> list[PlateCheck]:
    """Check each read (once per read id), in order. Run in the device's institution's
    scope. DecisionError when the device or one read is refused, before any check."""
    if device.kind not in PLATE_READERS:
        raise NotAPlateReader
    lots: dict[int, ParkingLot] = {}
    judged = []
    for index, read in enumerate(reads):
        try:
            judged.append(_judged(device, read, now, lots))
        except DecisionError as refused:
            field = "read_at" if isinstance(refused, ClockSkew) else refused.field
            refused.field = f"reads.{index}.{field}"
            raise
    return [
        plate_check(
            lot=one.lot,
            credential=one.credential,
            now=now,
            source=PlateCheck.Source.DEVICE,
            device=device,
            read_id=one.read.read_id,
            read_at=one.read_at,
            camera=one.read.camera,
            confidence=one.read.confidence,
        )
        for one in judged
    ]
