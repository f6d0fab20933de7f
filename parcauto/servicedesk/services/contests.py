"""Contesting a claim notice ("Contester", public page) and the service centre's decision.

A contest is a request of kind CONTEST naming its notice; sending it moves the notice to
CONTESTED, which holds its payment until staff decide. Staff either cancel the notice or
keep it, always with a reason the contester receives by e-mail; the notice moves with
`notice_transition` (to CANCELLED, or back to ISSUED: payable again) and the request is
done. A contest may come without an account (`person` empty): it is then answered at
the address typed, in the page's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.enforcement.errors import EnforcementError
from parcauto.enforcement.models import ClaimNotice, NoticePayment
from parcauto.enforcement.services.transitions import notice_transition

from .. import emails
from ..errors import NotAllowed
from ..models import ServiceMessage, ServiceRequest
from .common import MAX_PHOTOS, email_after_commit, files_check, text_check
from .requests import request_create
from .thread import locked, state_set

MAX_FILES = MAX_PHOTOS  # "up to 3 attachments", as a report's photos


class Decision:
    CANCEL = "cancel"
    KEEP = "keep"
    CHOICES = (CANCEL, KEEP)


def contest_send(
    *,
    notice: ClaimNotice,
    person: User | None,
    contact_email: str,
    full_name: str,
    text: str,
    language: str,
    now: dt.datetime,
    files: Sequence[UploadedFile] = (),
) -> ServiceRequest:
    """ "Contester": the request with its files; the notice CONTESTED, its payment held.

    Refused (nothing written) when the notice is not issued (paid, cancelled, already
    contested, sent to collection) or a payment of it is being answered.
    """
    if len(files) > MAX_FILES:
        raise NotAllowed(_("Attach at most 3 files."))
    text_check(text, full_name)
    files_check(files)
    with transaction.atomic():
        current = ClaimNotice.objects.select_for_update().get(
            pk=notice.pk, organization_id=notice.organization_id
        )
        paying = NoticePayment.objects.filter(
            notice=current, status__in=NoticePayment.LIVE_STATUSES
        ).exists()
        if current.state != ClaimNotice.State.ISSUED or paying:
            raise NotAllowed(_("This notice can no longer be contested."))
        request = request_create(
            organization=current.organization,
            person=person,
            kind=ServiceRequest.Kind.CONTEST,
            subject=_("Contest: claim notice no. %(number)s") % {"number": current.number},
            text=text,
            contact_email=contact_email,
            full_name=full_name,
            files=files,
            notice=current,
            language=language,
            now=now,
        )
        request.notice = notice_transition(
            notice=current,
            to=ClaimNotice.State.CONTESTED,
            actor=person,
            reason=_("Contested: request no. %(number)s") % {"number": request.number},
            data={"request": request.number},
        )
    return request


def contest_decide(
    *, request: ServiceRequest, decision: str, reason: str, actor: User, now: dt.datetime
) -> ServiceRequest:
    """Staff cancel the notice or keep it (payable again), with the reason e-mailed."""
    reason = reason.strip()
    if decision not in Decision.CHOICES:
        raise NotAllowed(_("Choose to cancel the notice or to keep it."))
    if not reason:
        raise NotAllowed(_("Give the reason: the person receives it by e-mail."))
    text_check(reason)
    with transaction.atomic():
        request = locked(request)
        if request.kind != ServiceRequest.Kind.CONTEST or request.notice_id is None:
            raise NotAllowed(_("This request contests no notice."))
        notice = ClaimNotice.objects.get(
            pk=request.notice_id, organization_id=request.organization_id
        )
        if notice.state != ClaimNotice.State.CONTESTED:
            raise NotAllowed(_("This contest has already been decided."))
        cancel = decision == Decision.CANCEL
        to = ClaimNotice.State.CANCELLED if cancel else ClaimNotice.State.ISSUED
        try:
            notice_transition(
                notice=notice,
                to=to,
                actor=actor,
                reason=reason,
                data={"request": request.number, "decision": decision},
            )
        except EnforcementError as error:
            raise NotAllowed(error.message) from None
        message = ServiceMessage.objects.create(
            organization_id=request.organization_id,
            request=request,
            kind=ServiceMessage.Kind.STAFF,
            author=actor,
            body=reason,
        )
        audit_log(
            action=f"servicedesk.contest_{decision}",
            actor=actor,
            organization=request.organization,
            target=request,
            data={"number": request.number, "notice": notice.number, "reason": reason},
        )
        state_set(request, ServiceRequest.State.DONE, actor=actor, now=now)
        event = emails.CONTEST_CANCELLED if decision == Decision.CANCEL else emails.CONTEST_KEPT
        email_after_commit(request, event, message.pk)
    return request
