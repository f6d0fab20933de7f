"""What every request shares: its number, its due date, its files, its e-mails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from parcauto.core.clock import LOCAL_TZ
from parcauto.core.sequences import sequence_next
from parcauto.core.uploads import UploadInfo, display_name, upload_check
from parcauto.tenants.models import Organization

from .. import emails
from ..cards import contains_card_number
from ..errors import CardNumberRefused
from ..models import ServiceAttachment, ServiceDeskSettings, ServiceMessage, ServiceRequest

REQUEST_SEQUENCE = "service_request_number"
FIRST_REQUEST_NUMBER = 300_001
# Guide 001: "Taille maximale de 10 Mo" (ARCHITECTURE: 10 MB for a request's attachment).
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 3


def text_check(*texts: str) -> None:
    """Refuse a message that carries a card number, before anything of it is written."""
    if any(contains_card_number(text) for text in texts):
        raise CardNumberRefused


def files_check(files: Sequence[UploadedFile]) -> list[UploadInfo]:
    """Each file judged by its bytes and size (core.uploads), before anything is written."""
    return [upload_check(file, max_bytes=ATTACHMENT_MAX_BYTES) for file in files]


def business_days_after(day: dt.date, count: int) -> dt.date:
    """The date `count` business days (Monday to Friday) after `day`."""
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def due_at(organization: Organization, now: dt.datetime) -> dt.datetime:
    """When an answer is due: the institution's response time in business days, same hour."""
    found = ServiceDeskSettings.objects.filter(organization=organization).first()
    days = (found or ServiceDeskSettings()).response_business_days
    local = now.astimezone(LOCAL_TZ)
    day = business_days_after(local.date(), days)
    return dt.datetime.combine(day, local.timetz()).astimezone(dt.UTC)


def next_number() -> int:
    """Call it inside the creating transaction, as late as possible (it locks a counter)."""
    return sequence_next(name=REQUEST_SEQUENCE, start=FIRST_REQUEST_NUMBER)


def attachments_save(
    request: ServiceRequest,
    files: Sequence[UploadedFile],
    infos: Sequence[UploadInfo],
    message: ServiceMessage | None = None,
) -> None:
    for file, info in zip(files, infos, strict=True):
        attachment = ServiceAttachment(
            organization_id=request.organization_id,
            request=request,
            message=message,
            original_name=display_name(file.name or ""),
            content_type=info.content_type,
            size=info.size,
        )
        attachment.file.save("upload", file, save=False)
        attachment.save()


def email_after_commit(request: ServiceRequest, event: str, key: object = "") -> None:
    """Tell the person of `event` once the transaction commits (one e-mail per event)."""
    transaction.on_commit(
        partial(
            emails.send_request_email.enqueue,
            organization_id=request.organization_id,
            request_id=request.pk,
            event=event,
            key=str(key),
        )
    )
