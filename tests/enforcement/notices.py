"""Builders for the notice tests: a tariff per reason, a plate check as the patrol page
writes one (`plate_check` makes them in the app), phone-like photos, and notices made
directly (issuing is `services.issuing`'s business)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parcauto.accounts.models import User
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import (
    CheckReason,
    ClaimNotice,
    NoticePhoto,
    NoticeReason,
    NoticeTariff,
    PlateCheck,
    Verdict,
)
from parcauto.enforcement.services.numbers import notice_number_next
from parcauto.tenants.models import Organization
from tests.factories import ParkingLotFactory, UserFactory
from tests.scoping import within_its_institution

SEEN = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LOCAL_TZ)
DUE = dt.date(2026, 7, 10)
# Taxable: 45,99 $ = 40,00 $ + GST 2,00 $ + QST 3,99 $ (a Visa charge of 51 $ to 60 $
# is declined by the penny simulator: these amounts stay clear of it, late fee or not).
TAXED = {
    "pre_tax": Decimal("40.00"),
    "gst": Decimal("2.00"),
    "qst": Decimal("3.99"),
    "total": Decimal("45.99"),
}


def notice_make(organization: Organization, **fields: Any) -> ClaimNotice:
    values: dict[str, Any] = {
        "number": notice_number_next(),
        "lot": ParkingLotFactory(organization=organization),
        "plate": "ABC123",
        "jurisdiction": "QC",
        "vehicle_make": "Honda",
        "vehicle_colour": "Bleu",
        "observed_at": SEEN,
        "reason": NoticeReason.NO_PERMIT,
        "agent": UserFactory(),
        **TAXED,
        "late_fee": Decimal("15.00"),
        "due_date": DUE,
        "issued_at": SEEN,
        "state_changed_at": SEEN,
    }
    return ClaimNotice.objects.create(organization=organization, **(values | fields))


def jpeg_with_location() -> bytes:
    """A small JPEG whose EXIF carries a GPS position (what a phone's photo has)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (45.0, 24.0, 10.0)
    gps[3], gps[4] = "W", (71.0, 53.0, 20.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo_make(notice: ClaimNotice) -> NoticePhoto:
    photo = NoticePhoto(
        organization_id=notice.organization_id,
        notice=notice,
        content_type="image/jpeg",
        width=64,
        height=48,
        latitude=Decimal("45.402778"),
        longitude=Decimal("-71.888889"),
    )
    photo.image.save("photo.jpg", ContentFile(jpeg_with_location()), save=False)
    photo.save()
    return photo


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
    **fields: Any,
) -> PlateCheck:
    """A patrol agent's check of `plate` at `at`, valid or not as `reason` says."""
    values: dict[str, Any] = {
        "lot": lot,
        "plate": plate,
        "jurisdiction": "QC",
        "source": PlateCheck.Source.PATROL,
        "agent": agent,
        "read_at": at,
        "checked_at": at,
        "verdict": Verdict.VALID if reason.startswith("valid") else Verdict.NOT_VALID,
        "reason": reason,
    }
    return PlateCheck.objects.create(organization=lot.organization, **(values | fields))


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
