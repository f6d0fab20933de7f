"""Reads of the service desk, narrowed to one person or to a staff member's institutions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from parcauto.accounts.models import User
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization

from .models import ServiceAttachment, ServiceMessage, ServiceRequest

_RELATED = (
    "organization",
    "person",
    "subscription",
    "subscription__product",
    "lot",
    "assignee",
    "notice",
    "notice__lot",
)


def requests_for_person(*, person: User, organization: Organization) -> QuerySet[ServiceRequest]:
    """ "Mes demandes": the person's requests on this portal, newest first."""
    return (
        ServiceRequest.objects.filter(organization=organization, person=person)
        .select_related(*_RELATED)
        .order_by("-created_at", "-pk")
    )


def request_for_person(
    *, person: User, organization: Organization, pk: int
) -> ServiceRequest | None:
    return requests_for_person(person=person, organization=organization).filter(pk=pk).first()


def requests_for_contract(*, subscription: Subscription) -> QuerySet[ServiceRequest]:
    """The requests about one contract (its history, on the contract's page)."""
    return ServiceRequest.objects.filter(
        organization_id=subscription.organization_id, subscription=subscription
    ).order_by("-created_at", "-pk")


def thread_for_person(request: ServiceRequest) -> list[ServiceMessage]:
    """What the person sees of the thread: every message but staff's internal notes."""
    return list(
        request.messages.exclude(kind=ServiceMessage.Kind.NOTE)
        .select_related("author")
        .prefetch_related("attachments")
    )


def thread_for_staff(request: ServiceRequest) -> list[ServiceMessage]:
    return list(request.messages.select_related("author").prefetch_related("attachments"))


def first_attachments(request: ServiceRequest) -> list[ServiceAttachment]:
    """The files sent with the request itself (not with a later message)."""
    return list(request.attachments.filter(message__isnull=True))


@dataclass(frozen=True)
class InboxFilters:
    state: str = ""  # "" = every open request; "all" = every request
    kind: str = ""
    assignee: int | None = None  # a staff member's id; 0 = nobody
    overdue: bool = False


def inbox(
    *, organizations: QuerySet[Organization], filters: InboxFilters, now: dt.datetime
) -> QuerySet[ServiceRequest]:
    """The staff inbox: the institutions' requests, the most urgent first."""
    requests = ServiceRequest.objects.filter(organization__in=organizations).select_related(
        *_RELATED
    )
    if filters.state == "all":
        pass
    elif filters.state:
        requests = requests.filter(state=filters.state)
    else:
        requests = requests.filter(state__in=ServiceRequest.OPEN_STATES)
    if filters.kind:
        requests = requests.filter(kind=filters.kind)
    if filters.assignee == 0:
        requests = requests.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        requests = requests.filter(assignee_id=filters.assignee)
    if filters.overdue:
        requests = requests.filter(overdue_filter(now))
    return requests.order_by("due_at", "pk")


def overdue_filter(now: dt.datetime) -> Q:
    return Q(state__in=ServiceRequest.OPEN_STATES, due_at__lt=now)


def inbox_counts(*, organizations: QuerySet[Organization], now: dt.datetime) -> dict[str, int]:
    """How many requests are in each open state, overdue, and unassigned."""
    open_requests = ServiceRequest.objects.filter(
        organization__in=organizations, state__in=ServiceRequest.OPEN_STATES
    )
    counts = open_requests.aggregate(
        **{
            state: Count("pk", filter=Q(state=state))
            for state in (
                ServiceRequest.State.NEW,
                ServiceRequest.State.IN_PROGRESS,
                ServiceRequest.State.WAITING,
            )
        },
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )
    return {name: value or 0 for name, value in counts.items()}


def inbox_request(*, organizations: QuerySet[Organization], pk: int) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.filter(organization__in=organizations, pk=pk)
        .select_related(*_RELATED)
        .first()
    )
