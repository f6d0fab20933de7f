"""Cancelling a contract (guide 002, « Transmettre une demande d'annulation »).

The person chooses the service and the last day; the earliest day allowed comes from the
product's notice clause (`PermitProduct.cancellation_notice_days`): today, in Quebec,
plus that many calendar days, never before the contract starts ("au plus tôt le …").
Any day from then on may be chosen: the last period is billed to the day (rule 14's
proration), so a mid-month end costs what it uses.

Staff confirm it (a product sold without approval confirms it at once: nobody reviews
its contracts either): the contract is ENDING until that day, then ENDED
(`contract_end`). The person may withdraw the request while it waits and while the
contract is ENDING.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.core.clock import local_today
from parcauto.core.dates import format_date
from parcauto.subscriptions.models import Subscription

from .. import emails
from ..errors import DateRefused, NotAllowed
from ..models import ServiceMessage, ServiceRequest
from .common import email_after_commit
from .contract_end import contract_end_schedule, contract_end_withdraw
from .requests import person_full_name, request_create
from .thread import locked, state_set

Outcome = ServiceRequest.Outcome
State = ServiceRequest.State


def cancellation_earliest(*, subscription: Subscription, today: dt.date) -> dt.date:
    """The first last day the notice clause allows: `today` plus the notice, in days."""
    notice = dt.timedelta(days=subscription.product.cancellation_notice_days)
    return max(today + notice, subscription.start_date)


def cancellation_open_for(subscription: Subscription) -> ServiceRequest | None:
    """The contract's cancellation still in play: waiting for staff, or confirmed and ENDING."""
    waiting = ServiceRequest.objects.filter(
        organization_id=subscription.organization_id,
        subscription=subscription,
        kind=ServiceRequest.Kind.CANCELLATION,
        outcome=Outcome.NONE,
        state__in=ServiceRequest.OPEN_STATES,
    )
    confirmed = ServiceRequest.objects.filter(
        organization_id=subscription.organization_id,
        subscription=subscription,
        kind=ServiceRequest.Kind.CANCELLATION,
        outcome=Outcome.CONFIRMED,
    )
    if subscription.status == Subscription.Status.ENDING:
        return (waiting | confirmed).order_by("-created_at").first()
    return waiting.first()


def cancellation_date_check(
    *, subscription: Subscription, last_day: dt.date, now: dt.datetime
) -> None:
    earliest = cancellation_earliest(subscription=subscription, today=local_today(now))
    if last_day < earliest:
        raise DateRefused(
            _("Under your contract's cancellation clause, choose %(date)s or later.")
            % {"date": format_date(earliest)}
        )
    if subscription.end_date is not None and last_day >= subscription.end_date:
        raise DateRefused(
            _("Your subscription already ends on %(date)s.")
            % {"date": format_date(subscription.end_date)}
        )


def cancellation_request_send(
    *, subscription: Subscription, person: User, last_day: dt.date, now: dt.datetime
) -> ServiceRequest:
    """ "Envoyer la demande d'annulation": the contract ends on `last_day` once confirmed."""
    if subscription.person_id != person.pk or subscription.status != Subscription.Status.ACTIVE:
        raise NotAllowed(_("Only an active subscription can be cancelled."))
    if cancellation_open_for(subscription) is not None:
        raise NotAllowed(_("A cancellation request for this subscription is already open."))
    cancellation_date_check(subscription=subscription, last_day=last_day, now=now)
    product = subscription.product
    with transaction.atomic():
        request = request_create(
            organization=subscription.organization,
            person=person,
            kind=ServiceRequest.Kind.CANCELLATION,
            subject=_("Cancellation request: contract: %(number)s")
            % {"number": subscription.contract_number},
            text=_("%(service)s: last day %(date)s.")
            % {
                "service": f"{product.number} - {product.name}",
                "date": format_date(last_day),
            },
            contact_email=person.email,
            full_name=person_full_name(person),
            subscription=subscription,
            requested_end_date=last_day,
            previous_end_date=subscription.end_date,
            now=now,
        )
        if not product.approval_required:
            request = cancellation_confirm(request=request, actor=None, now=now)
    return request


def _undecided(request: ServiceRequest) -> ServiceRequest:
    request = locked(request)
    if request.kind != ServiceRequest.Kind.CANCELLATION or request.outcome != Outcome.NONE:
        raise NotAllowed(_("This cancellation has already been decided."))
    return request


def cancellation_confirm(
    *, request: ServiceRequest, actor: User | None, now: dt.datetime
) -> ServiceRequest:
    """Staff agree: the contract is ENDING until the day asked for; the person is told."""
    with transaction.atomic():
        request = _undecided(request)
        assert request.subscription is not None and request.requested_end_date is not None  # noqa: S101 - a constraint
        contract_end_schedule(
            subscription=request.subscription,
            last_day=request.requested_end_date,
            actor=actor,
            now=now,
        )
        request.outcome = Outcome.CONFIRMED
        request.save(update_fields=["outcome", "updated_at"])
        _decided(request, "cancellation_confirmed", actor)
        state_set(request, State.DONE, actor=actor, now=now)
        email_after_commit(request, emails.CANCELLATION_CONFIRMED)
    return request


def cancellation_refuse(
    *, request: ServiceRequest, actor: User, reason: str, now: dt.datetime
) -> ServiceRequest:
    """Staff refuse, with the reason the person reads; the contract goes on."""
    reason = reason.strip()
    if not reason:
        raise NotAllowed(_("Give the reason: the person receives it by e-mail."))
    with transaction.atomic():
        request = _undecided(request)
        request.outcome = Outcome.REFUSED
        request.save(update_fields=["outcome", "updated_at"])
        ServiceMessage.objects.create(
            organization_id=request.organization_id,
            request=request,
            kind=ServiceMessage.Kind.STAFF,
            author=actor,
            body=reason,
        )
        _decided(request, "cancellation_refused", actor, reason=reason)
        state_set(request, State.DONE, actor=actor, now=now)
        email_after_commit(request, emails.CANCELLATION_REFUSED)
    return request


def cancellation_withdraw(
    *, request: ServiceRequest, person: User, now: dt.datetime
) -> ServiceRequest:
    """The person changes their mind: while staff decide, or while the contract is ENDING."""
    with transaction.atomic():
        request = locked(request)
        if request.person_id != person.pk or request.kind != ServiceRequest.Kind.CANCELLATION:
            raise NotAllowed(_("This request is not yours."))
        contract = request.subscription
        assert contract is not None  # noqa: S101 - a constraint
        if request.outcome == Outcome.CONFIRMED and contract.status == Subscription.Status.ENDING:
            contract_end_withdraw(
                subscription=contract, end_date=request.previous_end_date, actor=person, now=now
            )
        elif request.outcome != Outcome.NONE or not request.is_open:
            raise NotAllowed(_("This cancellation can no longer be withdrawn."))
        request.outcome = Outcome.WITHDRAWN
        request.save(update_fields=["outcome", "updated_at"])
        _decided(request, "cancellation_withdrawn", person)
        state_set(request, State.DONE, actor=person, now=now)
        email_after_commit(request, emails.CANCELLATION_WITHDRAWN)
    return request


def _decided(request: ServiceRequest, action: str, actor: User | None, **data: str) -> None:
    audit_log(
        action=f"servicedesk.{action}",
        actor=actor,
        organization=request.organization,
        target=request,
        data={
            "number": request.number,
            "contract": request.subscription.contract_number if request.subscription else None,
            "last_day": request.requested_end_date.isoformat()
            if request.requested_end_date
            else None,
            **data,
        },
    )
