""" "Mes données": a download of everything the platform holds about a person (Law 25,
s. 27: access in a structured, commonly used format).

A task builds a ZIP (`donnees.json` and the files the person gave), step by step so the
page can show its progress, and stores it privately through the storage API. The e-mail
carries a signed link naming the download and the person: it opens only for that person,
signed in, until it expires (`PARCAUTO_DATA_EXPORT_DAYS`); the retention job then deletes
the file.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.tenants.models import Organization

from ..links import data_export_token_read
from ..models import DataExport
from .background import build_data_export
from .export_build import STEP_COUNT

# A build that has not finished after this long died with its worker: it may be asked again.
STALE_AFTER = dt.timedelta(hours=6)


def data_export_request(
    *, person: User, organization: Organization, now: dt.datetime
) -> DataExport:
    """Ask for a download; one being prepared already is returned instead of a second."""
    with transaction.atomic():
        current = _in_progress(person, now)
        if current is not None:
            return current
        try:
            with transaction.atomic():
                export = DataExport.objects.create(
                    person=person, organization=organization, steps_total=STEP_COUNT
                )
        except IntegrityError:  # a double click: the other request made it
            return DataExport.objects.get(person=person, status__in=DataExport.IN_PROGRESS)
        audit_log(action="privacy.export_requested", actor=person, target=export)
        enqueue_with_transaction(build_data_export, export_id=export.pk)
    return export


def _in_progress(person: User, now: dt.datetime) -> DataExport | None:
    """The person's download being prepared, if any (one left by a dead worker fails)."""
    DataExport.objects.filter(
        person=person, status__in=DataExport.IN_PROGRESS, updated_at__lt=now - STALE_AFTER
    ).update(status=DataExport.Status.FAILED, updated_at=now)
    return DataExport.objects.filter(person=person, status__in=DataExport.IN_PROGRESS).first()


def data_export_for_download(*, token: str, person: User, now: dt.datetime) -> DataExport | None:
    """The download a link opens for this signed-in person, or None: a forged, expired or
    someone else's link, a download already purged."""
    max_age = dt.timedelta(days=settings.PARCAUTO_DATA_EXPORT_DAYS)
    payload = data_export_token_read(token, max_age=max_age)
    if payload is None or payload.get("person") != person.pk:
        return None
    export_id = payload.get("export")
    if not isinstance(export_id, int):
        return None
    export = DataExport.objects.filter(
        pk=export_id,
        person=person,
        status=DataExport.Status.READY,
        expires_at__gt=now,
    ).first()
    if export is None or not export.file:
        return None
    return export


def data_export_downloaded(*, export: DataExport, now: dt.datetime) -> None:
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(downloaded_at=now)
        audit_log(action="privacy.export_downloaded", actor=export.person, target=export)
