"""Notices, photos and plate checks written straight into the database for the back-office
tests, on the enforcement tests' builders (`tests.enforcement.notices`): a notice here is
issued at a given time with its audit event, and its amount given in words."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import ParkingLot
from parcauto.enforcement.models import CheckReason, ClaimNotice, NoticePhoto, PlateCheck, Verdict
from parcauto.tenants.models import Organization
from tests.enforcement import notices
from tests.factories import ParkingLotFactory, UserFactory
from tests.scoping import within_its_institution

NOTICES = "/gestion/avis/"


def jpeg(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@within_its_institution
def notice_make(
    organization: Organization,
    *,
    at: dt.datetime,
    lot: ParkingLot | None = None,
    agent: User | None = None,
    amount: str = "50.00",
    gst: str = "0.00",
    qst: str = "0.00",
    **fields: Any,
) -> ClaimNotice:
    """A notice issued at `at` (with its "issued" audit event), taxes as given."""
    issued: dict[str, Any] = {
        "observed_at": at,
        "issued_at": at,
        "state_changed_at": at,
        "due_date": (at + dt.timedelta(days=30)).date(),
        "vehicle_make": "",
        "vehicle_colour": "",
    }
    notice = notices.notice_make(
        organization,
        lot=lot or ParkingLotFactory(organization=organization),
        agent=agent or UserFactory(),
        pre_tax=Decimal(amount) - Decimal(gst) - Decimal(qst),
        gst=Decimal(gst),
        qst=Decimal(qst),
        total=Decimal(amount),
        **(issued | fields),
    )
    audit_log(
        action="enforcement.notice_issued",
        actor=notice.agent,
        organization=organization,
        target=notice,
        data={"to": ClaimNotice.State.ISSUED},
    )
    return notice


@within_its_institution
def photo_make(
    notice: ClaimNotice,
    *,
    latitude: str | None = "45.402100",
    longitude: str | None = "-71.889700",
    content: bytes | None = None,
    size: tuple[int, int] = (64, 48),
) -> NoticePhoto:
    """A JPEG of the notice (`content`, or a plain one of `size`), located as given."""
    photo = NoticePhoto(
        organization=notice.organization,
        notice=notice,
        content_type="image/jpeg",
        width=size[0],
        height=size[1],
        latitude=Decimal(latitude) if latitude else None,
        longitude=Decimal(longitude) if longitude else None,
        taken_at=notice.observed_at,
    )
    photo.image.save("photo.jpg", ContentFile(content or jpeg(*size)), save=False)
    photo.save()
    return photo


def check_make(
    organization: Organization,
    *,
    lot: ParkingLot,
    at: dt.datetime,
    plate: str = "ABC123",
    verdict: str = Verdict.NOT_VALID,
    reason: str = CheckReason.NO_PERMIT,
    **fields: Any,
) -> PlateCheck:
    assert lot.organization_id == organization.pk
    return notices.check_of(lot, plate=plate, at=at, reason=reason, verdict=verdict, **fields)
