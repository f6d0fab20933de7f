"""Sending a request: a modification of a contract, or a report of a problem on a lot.

Everything a request carries is checked before the first write: a card number in its
text (rule 56) or a file that is not what it says refuses it whole, so nothing of it
is stored, not even its attachment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import ParkingLot
from parcauto.core.uploads import UploadRefused
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization

from .. import emails
from ..errors import NotAllowed
from ..models import ServiceRequest
from .common import (
    MAX_PHOTOS,
    attachments_save,
    due_at,
    email_after_commit,
    files_check,
    next_number,
    text_check,
)

PHOTO_TYPES = ("image/jpeg", "image/png")
# Contracts a person may ask to change or to cancel: in force.
MODIFIABLE_STATUSES = (
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,
    Subscription.Status.ENDING,
)


def modification_subject(subscription: Subscription) -> str:
    """Guide 001: « Demande de modification: contrat: 100014763 »."""
    return _("Modification request: contract: %(number)s") % {
        "number": subscription.contract_number
    }


def request_create(
    *,
    organization: Organization,
    person: User | None,
    kind: str,
    subject: str,
    text: str,
    contact_email: str,
    full_name: str,
    now: dt.datetime,
    files: Sequence[UploadedFile] = (),
    **fields: Any,
) -> ServiceRequest:
    """The request, its files and its audit event; the acknowledgement after commit.

    Checks come first (raising CardNumberRefused or UploadRefused), so a refused request
    writes nothing. Call it in the caller's transaction when more follows.
    """
    text_check(subject, text, full_name)
    infos = files_check(files)
    with transaction.atomic():
        request = ServiceRequest(
            organization=organization,
            person=person,
            kind=kind,
            subject=subject,
            text=text,
            contact_email=contact_email,
            full_name=full_name,
            due_at=due_at(organization, now),
            **fields,
        )
        request.number = next_number()
        request.save()
        attachments_save(request, files, infos)
        audit_log(
            action="servicedesk.request_sent",
            actor=person,
            organization=organization,
            target=request,
            data={
                "number": request.number,
                "kind": kind,
                "contract": request.subscription.contract_number if request.subscription else None,
                "files": len(files),
            },
        )
        email_after_commit(request, emails.RECEIVED)
    return request


def modification_request_send(
    *,
    subscription: Subscription,
    person: User,
    contact_email: str,
    full_name: str,
    text: str,
    now: dt.datetime,
    attachment: UploadedFile | None = None,
) -> ServiceRequest:
    """ "Envoyer la demande" (guide 001): free text and an optional file, for staff."""
    if subscription.person_id != person.pk or subscription.status not in MODIFIABLE_STATUSES:
        raise NotAllowed(_("Only a subscription in force can be modified."))
    return request_create(
        organization=subscription.organization,
        person=person,
        kind=ServiceRequest.Kind.MODIFICATION,
        subject=modification_subject(subscription),
        text=text,
        contact_email=contact_email,
        full_name=full_name,
        files=[attachment] if attachment is not None else [],
        subscription=subscription,
        now=now,
    )


def report_send(
    *,
    organization: Organization,
    person: User,
    lot: ParkingLot,
    problem: str,
    text: str,
    now: dt.datetime,
    photos: Sequence[UploadedFile] = (),
) -> ServiceRequest:
    """ "TRANSMETTRE UN RAPPORT": a problem on a lot (a gate, lighting, snow...), with photos."""
    if lot.organization_id != organization.pk:
        raise NotAllowed(_("Choose one of this institution's parking lots."))
    if len(photos) > MAX_PHOTOS:
        raise NotAllowed(_("Attach at most 3 photos."))
    if any(info.content_type not in PHOTO_TYPES for info in files_check(photos)):
        raise UploadRefused(_("Attach photos: .jpg, .jpeg or .png files."), code="not_a_photo")
    label = ServiceRequest.Problem(problem).label
    return request_create(
        organization=organization,
        person=person,
        kind=ServiceRequest.Kind.REPORT,
        subject=_("Report: %(problem)s, lot %(lot)s") % {"problem": label, "lot": lot.number},
        text=text,
        contact_email=person.email,
        full_name=person_full_name(person),
        files=photos,
        lot=lot,
        problem=problem,
        now=now,
    )


def person_full_name(person: User) -> str:
    """First and last names from the profile (the e-mail address without one)."""
    profile = getattr(person, "profile", None)
    if profile is None:
        return person.email
    return f"{profile.first_name} {profile.last_name}".strip() or person.email
