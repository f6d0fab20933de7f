"""Building a "Mes données" archive (the `build_data_export` task runs it)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import zipfile
from collections.abc import Callable

from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.notifications.services import email_send_template
from parcauto.tenants.links import portal_absolute_url

from .. import export_content as content
from ..links import data_export_token
from ..models import DataExport

logger = logging.getLogger(__name__)

EXPORT_READY = "privacy_export_ready"  # the e-mail's templates

Section = Callable[[User, content.ExportFiles], content.Row]
# The steps, in order: each adds its part of `donnees.json` (the page shows which one runs).
STEPS: tuple[tuple[str, Section], ...] = (
    ("account", lambda person, files: content.account_section(person)),
    ("vehicles", lambda person, files: content.vehicles_section(person)),
    ("contracts", content.contracts_section),
    ("emails", lambda person, files: content.emails_section(person)),
    ("activity", lambda person, files: content.activity_section(person)),
)
# ... and the archive itself, the last step.
ARCHIVE_STEP = "archive"
STEP_COUNT = len(STEPS) + 1


def data_export_build(*, export_id: int, now: dt.datetime) -> DataExport | None:
    """Build the archive of a queued download; a second call finds it taken and stops."""
    if not DataExport.objects.filter(pk=export_id, status=DataExport.Status.QUEUED).update(
        status=DataExport.Status.RUNNING, updated_at=now
    ):
        return None
    export = DataExport.objects.select_related("person", "organization").get(pk=export_id)
    try:
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as archive:
            _write(export, archive)
            archive.seek(0)
            export.file.save("donnees.zip", File(archive), save=False)
    except Exception:
        logger.exception("the data download %s could not be built", export_id)
        if export.file:
            export.file.delete(save=False)
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED)
        raise
    expires = now + dt.timedelta(days=settings.PARCAUTO_DATA_EXPORT_DAYS)
    with transaction.atomic():
        DataExport.objects.filter(pk=export_id).update(
            status=DataExport.Status.READY,
            file=export.file.name,
            size=export.file.size,
            steps_done=export.steps_total,
            step="",
            ready_at=now,
            expires_at=expires,
            updated_at=now,
        )
        export.refresh_from_db()
        audit_log(action="privacy.export_ready", actor=None, target=export)
        _email_ready(export)
    return export


def _write(export: DataExport, archive: tempfile.SpooledTemporaryFile[bytes]) -> None:
    person = export.person
    files = content.ExportFiles()
    data: content.Row = {"format": "parcauto-personal-data/1", "prepared_at": export.updated_at}
    for number, (name, section) in enumerate(STEPS):
        _progress(export, number, name)
        data |= section(person, files)
    _progress(export, len(STEPS), ARCHIVE_STEP)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(
            "donnees.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        with translation.override(person.language):
            zipped.writestr("LISEZMOI.txt", render_to_string("privacy/export_readme.txt"))
        for path, stored in sorted(files.files.items()):
            try:
                with stored.open("rb") as handle:
                    zipped.writestr(path, handle.read())
            except FileNotFoundError:  # gone from storage since: the JSON still lists it
                logger.warning("a file of data download %s is missing: %s", export.pk, path)


def _progress(export: DataExport, done: int, step: str) -> None:
    # Outside any transaction: each step is seen by the page as soon as it starts.
    DataExport.objects.filter(pk=export.pk).update(steps_done=done, step=step)


def _email_ready(export: DataExport) -> None:
    person = export.person
    organization = export.organization or person.signup_organization
    if organization is None:  # asked on a portal always; a row made by hand has none
        return
    link = portal_absolute_url(
        organization, "portal:data_export_download", token=data_export_token(export)
    )
    email_send_template(
        template=EXPORT_READY,
        to=person.email,
        context={
            "person": person,
            "export": export,
            "link": link,
            "organization": organization,  # the portal that brands it
        },
        language=person.language,
        organization=None,  # the person's own business, not the institution's staff's
        dedupe_key=f"{EXPORT_READY}:{export.pk}",
    )
