"""A request's life in the inbox: messages both ways, internal notes, assignment, states.

States: new -> in progress -> waiting for the customer -> done, in any order staff need
(a reply that asks something waits for the customer; the customer's answer puts it back
in progress; a done request reopens when its person writes again). Each change is
audited and the person told by e-mail; internal notes and assignment are staff's alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from parcauto.accounts.models import User
from parcauto.accounts.roles import staff_access
from parcauto.audit.models import AuditEvent
from parcauto.audit.services import audit_log
from parcauto.enforcement.models import ClaimNotice

from .. import emails
from ..errors import NotAllowed
from ..models import ServiceMessage, ServiceRequest
from .common import attachments_save, due_at, email_after_commit, files_check, text_check

State = ServiceRequest.State


def locked(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("organization", "subscription", "subscription__product", "person", "notice")
        .get(organization_id=request.organization_id, pk=request.pk)
    )


def contest_undecided(request: ServiceRequest) -> bool:
    """A contest whose notice still waits for staff's decision (`contests.contest_decide`)."""
    return (
        request.kind == ServiceRequest.Kind.CONTEST
        and request.notice is not None
        and request.notice.state == ClaimNotice.State.CONTESTED
    )


def _audit(request: ServiceRequest, action: str, actor: User | None, **data: Any) -> AuditEvent:
    return audit_log(
        action=f"servicedesk.{action}",
        actor=actor,
        organization=request.organization,
        target=request,
        data={"number": request.number, **data},
    )


def state_set(
    request: ServiceRequest, state: str, *, actor: User | None, now: dt.datetime
) -> str | None:
    """Move a locked request to `state` (audited): a key for its e-mail, None when it is
    there already."""
    previous = request.state
    if previous == state:
        return None
    request.state = state
    request.closed_at = now if state == State.DONE else None
    if previous == State.DONE:  # reopened: a new answer is due
        request.due_at = due_at(request.organization, now)
    request.save(update_fields=["state", "closed_at", "due_at", "updated_at"])
    event = _audit(request, "state_changed", actor, previous=previous, state=state)
    return f"{state}-{event.pk}"


def request_reply_by_customer(
    *,
    request: ServiceRequest,
    person: User,
    body: str,
    now: dt.datetime,
    attachment: UploadedFile | None = None,
) -> ServiceMessage:
    """The person answers from the portal; a request waiting for them, or done, reopens."""
    text_check(body)
    files = [attachment] if attachment is not None else []
    infos = files_check(files)
    with transaction.atomic():
        request = locked(request)
        if request.person_id != person.pk:
            raise NotAllowed(_("This request is not yours."))
        message = ServiceMessage.objects.create(
            organization_id=request.organization_id,
            request=request,
            kind=ServiceMessage.Kind.CUSTOMER,
            author=person,
            body=body,
        )
        attachments_save(request, files, infos, message)
        _audit(request, "customer_replied", person, message=message.pk)
        if request.state in (State.WAITING, State.DONE):
            state_set(request, State.IN_PROGRESS, actor=person, now=now)
    return message


def request_reply_by_staff(
    *,
    request: ServiceRequest,
    actor: User,
    body: str,
    now: dt.datetime,
    wait_for_customer: bool = False,
) -> ServiceMessage:
    """A reply to the person (e-mailed, with a link to answer from the portal)."""
    text_check(body)
    with transaction.atomic():
        request = locked(request)
        message = ServiceMessage.objects.create(
            organization_id=request.organization_id,
            request=request,
            kind=ServiceMessage.Kind.STAFF,
            author=actor,
            body=body,
        )
        _audit(request, "staff_replied", actor, message=message.pk)
        if wait_for_customer:
            state_set(request, State.WAITING, actor=actor, now=now)
        elif request.state == State.NEW:
            state_set(request, State.IN_PROGRESS, actor=actor, now=now)
        email_after_commit(request, emails.REPLY, message.pk)
    return message


def request_note_add(
    *, request: ServiceRequest, actor: User, body: str, now: dt.datetime
) -> ServiceMessage:
    """An internal note: staff's alone, never shown to the person nor e-mailed."""
    text_check(body)
    with transaction.atomic():
        request = locked(request)
        message = ServiceMessage.objects.create(
            organization_id=request.organization_id,
            request=request,
            kind=ServiceMessage.Kind.NOTE,
            author=actor,
            body=body,
        )
        _audit(request, "note_added", actor, message=message.pk)
    return message


def request_assign(
    *, request: ServiceRequest, assignee: User | None, actor: User, now: dt.datetime
) -> ServiceRequest:
    """Give the request to a staff member of its institution (None: to nobody)."""
    if assignee is not None and not staff_access(assignee).may_view(request.organization_id):
        raise NotAllowed(_("Assign the request to a staff member of its institution."))
    with transaction.atomic():
        request = locked(request)
        if request.assignee_id == (assignee.pk if assignee else None):
            return request
        request.assignee = assignee
        request.save(update_fields=["assignee", "updated_at"])
        _audit(request, "assigned", actor, assignee=assignee.email if assignee else None)
    return request


def request_state_change(
    *, request: ServiceRequest, state: str, actor: User, now: dt.datetime
) -> ServiceRequest:
    """Staff move the request to another state; the person is told."""
    if state not in State.values:
        raise NotAllowed(_("Choose one of the states offered."))
    with transaction.atomic():
        request = locked(request)
        undecided = (
            request.kind == ServiceRequest.Kind.CANCELLATION
            and request.outcome == ServiceRequest.Outcome.NONE
        )
        if state == State.DONE and undecided:
            raise NotAllowed(_("Confirm or refuse the cancellation before closing the request."))
        if state == State.DONE and contest_undecided(request):
            raise NotAllowed(_("Cancel or keep the notice before closing the contest."))
        key = state_set(request, state, actor=actor, now=now)
        if key is not None:
            email_after_commit(request, emails.STATE, key)
    return request
