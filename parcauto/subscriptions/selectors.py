"""Reads of subscriptions, always narrowed to one person or to a staff member's institutions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django_scopes import scope

from parcauto.accounts.models import User
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each

from .models import Subscription, WaitingListEntry

_RELATED = ("organization", "person", "lot", "category", "product")
# A contract in force (suspended too: it still binds), or approved and waiting for its
# start date ("MON CONTRAT").
CONTRACT_STATUSES = (
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,
    Subscription.Status.ENDING,
)


def subscription_draft_for(*, person: User, organization: Organization) -> Subscription | None:
    """The person's request being written on this portal, if any.

    Read by every step of the wizard (and by the sold-out rush): it joins only what the
    steps show, and takes the institution and the person from the caller.
    """
    drafts = Subscription.objects.filter(
        organization=organization, person=person, status=Subscription.Status.DRAFT
    ).select_related("lot", "category", "product")
    # One draft at most (a unique constraint): no .first(), whose ORDER BY costs CPU here.
    draft = next(iter(drafts), None)
    if draft is not None:
        draft.organization, draft.person = organization, person
    return draft


def subscription_list_for_person(
    *, person: User, organization: Organization
) -> QuerySet[Subscription]:
    """The person's requests and contracts on this portal, newest first (drafts excluded)."""
    return (
        Subscription.objects.filter(organization=organization, person=person)
        .exclude(status=Subscription.Status.DRAFT)
        .select_related(*_RELATED)
        .prefetch_related("vehicles", "attachments")
        .order_by("-submitted_at", "-pk")
    )


def subscription_contract_id_for(*, person: User, organization: Organization) -> int | None:
    """The id of the contract "MON CONTRAT" opens (the latest approved or active), if any.

    The portal menu asks on every page: the id alone, no joins.
    """
    return (
        Subscription.objects.filter(
            organization=organization, person=person, status__in=CONTRACT_STATUSES
        )
        .order_by("-submitted_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def subscription_get_for_person(
    *, person: User, organization: Organization, pk: int
) -> Subscription | None:
    """One of the person's own contracts on this portal; None for anyone else's."""
    return (
        subscription_list_for_person(person=person, organization=organization).filter(pk=pk).first()
    )


def vehicles_needed_by_contracts(*, person: User) -> int:
    """How many vehicles the person's live contracts need (one), on any portal.

    Vehicles belong to the account, on every portal; contracts to institutions: each
    institution is asked in its own scope.
    """
    for organization in institutions_each():
        with scope(organization=organization):
            if Subscription.objects.filter(
                organization=organization, person=person, status__in=Subscription.LIVE_STATUSES
            ).exists():
                return 1
    return 0


@dataclass(frozen=True, kw_only=True)
class QueueFilters:
    lot_id: int | None = None
    category_id: int | None = None
    product_id: int | None = None
    status: str | None = Subscription.Status.SUBMITTED
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None


def approval_queue(
    *, organizations: QuerySet[Organization], filters: QueueFilters
) -> QuerySet[Subscription]:
    """Requests of the given institutions, oldest first: first come, first served."""
    queryset = Subscription.objects.filter(organization__in=organizations).exclude(
        status=Subscription.Status.DRAFT
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.lot_id:
        queryset = queryset.filter(lot_id=filters.lot_id)
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.product_id:
        queryset = queryset.filter(product_id=filters.product_id)
    if filters.submitted_from:
        queryset = queryset.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        queryset = queryset.filter(submitted_at__date__lte=filters.submitted_to)
    return (
        queryset.select_related(*_RELATED, "person__profile")
        .prefetch_related("vehicles", "attachments")
        .order_by("submitted_at", "pk")
    )


def waitlist_entry_for(*, person: User, product_id: int) -> WaitingListEntry | None:
    return (
        WaitingListEntry.objects.filter(
            person=person,
            product_id=product_id,
            status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        )
        .select_related("product")
        .first()
    )
