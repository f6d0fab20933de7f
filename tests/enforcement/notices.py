"""Claim notices made directly in tests (issuing is `services.issuing`'s business)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image

from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticePhoto, NoticeReason
from parcauto.enforcement.services.numbers import notice_number_next
from parcauto.tenants.models import Organization
from tests.factories import ParkingLotFactory, UserFactory

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
