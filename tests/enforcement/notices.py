"""Builders for the notice tests: a tariff per reason, a plate check as the patrol page
writes one (helper A's `plate_check` makes them in the app), and phone-like photos."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parcauto.accounts.models import User
from parcauto.catalog.models import ParkingLot
from parcauto.enforcement.models import (
    CheckReason,
    NoticeReason,
    NoticeTariff,
    PlateCheck,
    Verdict,
)
from parcauto.tenants.models import Organization
from tests.scoping import within_its_institution


@within_its_institution
def tariffs_of(
    organization: Organization, *, amount: str = "50.00", taxable: bool = False
) -> list[NoticeTariff]:
    return [
        NoticeTariff.objects.create(
            organization=organization,
            reason=reason,
            amount=Decimal(amount),
            taxable=taxable,
            due_days=30,
            late_fee=Decimal("15.00"),
            collection_days=60,
        )
        for reason in NoticeReason.values
    ]


@within_its_institution
def check_of(
    lot: ParkingLot,
    *,
    plate: str = "ABC123",
    agent: User | None = None,
    at: dt.datetime,
    reason: str = CheckReason.NO_PERMIT,
    subscription=None,
) -> PlateCheck:
    return PlateCheck.objects.create(
        organization=lot.organization,
        lot=lot,
        plate=plate,
        jurisdiction="QC",
        source=PlateCheck.Source.PATROL,
        agent=agent,
        read_at=at,
        checked_at=at,
        verdict=Verdict.VALID if reason.startswith("valid") else Verdict.NOT_VALID,
        reason=reason,
        subscription=subscription,
    )


def photo_jpeg(
    *,
    size: tuple[int, int] = (4000, 3000),
    gps: tuple[float, float] | None = (45.4034, -71.8917),
    taken: str | None = "2026:06:01 09:55:00",
    orientation: int | None = None,
    name: str = "IMG_0001.jpg",
) -> SimpleUploadedFile:
    """A phone's photo: full size, with the EXIF location and time it writes."""
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        latitude, longitude = gps
        info = exif.get_ifd(0x8825)
        info[1] = "N" if latitude >= 0 else "S"
        info[2] = _dms(abs(latitude))
        info[3] = "E" if longitude >= 0 else "W"
        info[4] = _dms(abs(longitude))
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=70)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def photo_png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 200, 128)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), seconds)
