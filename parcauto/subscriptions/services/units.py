"""Units of a limited product: held by a request, or reserved for a waiting-list offer.

A unit freed by a refusal, a withdrawal or an expired offer goes to the next person on
the waiting list (it stays taken, reserved for them) or, when nobody waits, back on sale.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django_scopes import scope

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import PermitProduct
from parcauto.catalog.services import product_unit_release
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each

from .. import notifications
from ..models import Subscription, WaitingListEntry


def _offer_next(*, product: PermitProduct, now: dt.datetime) -> bool:
    """Offer the freed unit to the first person waiting; False when nobody waits."""
    entry = (
        WaitingListEntry.objects.select_for_update()
        .filter(
            organization=product.organization,
            product=product,
            status=WaitingListEntry.Status.WAITING,
        )
        .order_by("created_at", "id")
        .first()
    )
    if entry is None:
        return False
    entry.status = WaitingListEntry.Status.OFFERED
    entry.offered_at = now
    entry.offer_expires_at = now + dt.timedelta(days=product.waitlist_offer_days)
    entry.save(update_fields=["status", "offered_at", "offer_expires_at", "updated_at"])
    audit_log(
        action="waitlist.offered",
        actor=None,
        organization=product.organization,
        target=entry,
        data={"expires_at": entry.offer_expires_at.isoformat()},
    )
    notifications.on_waitlist_offer(entry)
    return True


def unit_free(*, product: PermitProduct, now: dt.datetime, offer: bool = True) -> None:
    """A unit is no longer used: to the waiting list first (unless `offer` is False),
    else back on sale."""
    if product.quantity is None or not offer or not _offer_next(product=product, now=now):
        product_unit_release(product=product)


def unit_give_back(*, subscription: Subscription, now: dt.datetime, offer: bool = True) -> None:
    """Give back the unit a request holds, exactly once (call with the row locked).

    `offer` False: no waiting-list offer (a term that ended frees a unit of a permit
    that may be off sale: an offer nobody could take up)."""
    if not subscription.holds_unit:
        return
    subscription.holds_unit = False
    unit_free(product=subscription.product, now=now, offer=offer)


def waitlist_offers(*, product: Any, person: User, now: dt.datetime) -> QuerySet[WaitingListEntry]:
    """Live offers of `product` (an instance, or OuterRef("pk") in a subquery) to `person`."""
    return WaitingListEntry.objects.filter(
        product=product,
        person=person,
        status=WaitingListEntry.Status.OFFERED,
        offer_expires_at__gt=now,
    )


def waitlist_offer_take(*, product: PermitProduct, person: User, now: dt.datetime) -> bool:
    """Use the unit reserved by a live offer to `person`, if there is one."""
    entry = (
        waitlist_offers(product=product, person=person, now=now)
        .select_for_update()
        .filter(organization=product.organization_id)
        .first()
    )
    if entry is None:
        return False
    entry.status = WaitingListEntry.Status.CONVERTED
    entry.save(update_fields=["status", "updated_at"])
    return True


def waitlist_expire_offers(*, now: dt.datetime) -> int:
    """Periodic job: an unanswered offer passes to the next person (or back on sale)."""
    count = 0
    for organization in institutions_each():  # a job for every institution, one at a time
        with scope(organization=organization):
            count += _expire_offers(organization=organization, now=now)
    return count


def _expire_offers(*, organization: Organization, now: dt.datetime) -> int:
    expired = list(
        WaitingListEntry.objects.filter(
            organization=organization,
            status=WaitingListEntry.Status.OFFERED,
            offer_expires_at__lte=now,
        ).values_list("pk", flat=True)
    )
    count = 0
    for pk in expired:
        with transaction.atomic():
            entry = (
                WaitingListEntry.objects.select_for_update()
                .select_related("product", "product__organization")
                .filter(pk=pk, status=WaitingListEntry.Status.OFFERED)
                .first()
            )
            if entry is None:
                continue
            entry.status = WaitingListEntry.Status.EXPIRED
            entry.save(update_fields=["status", "updated_at"])
            audit_log(
                action="waitlist.offer_expired",
                actor=None,
                organization=organization,
                target=entry,
            )
            unit_free(product=entry.product, now=now)
            count += 1
    return count
