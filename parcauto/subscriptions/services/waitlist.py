"""Joining and leaving a sold-out product's waiting list."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory

from ..errors import WaitingListClosed
from ..models import WaitingListEntry
from .units import unit_free


def waitlist_join(
    *,
    person: User,
    product: PermitProduct,
    lot: ParkingLot,
    category: UserCategory,
    now: dt.datetime,
) -> WaitingListEntry:
    """Take a place in line; joining twice keeps the first place."""
    product.refresh_from_db(fields=["units_taken", "quantity"])
    if not product.is_sold_out:
        raise WaitingListClosed
    existing = WaitingListEntry.objects.filter(
        organization=product.organization,
        product=product,
        person=person,
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                organization=product.organization,
                product=product,
                person=person,
                lot=lot,
                category=category,
            )
            audit_log(
                action="waitlist.joined",
                actor=person,
                organization=product.organization,
                target=entry,
            )
    except IntegrityError:  # a double click raced us
        return WaitingListEntry.objects.get(
            organization=product.organization,
            product=product,
            person=person,
            status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        )
    return entry


def waitlist_position(*, entry: WaitingListEntry) -> int:
    """1 for the first person waiting."""
    return (
        WaitingListEntry.objects.filter(
            organization=entry.organization,
            product=entry.product,
            status=WaitingListEntry.Status.WAITING,
            created_at__lt=entry.created_at,
        ).count()
        + 1
    )


def waitlist_withdraw(*, entry: WaitingListEntry, actor: User, now: dt.datetime) -> None:
    with transaction.atomic():
        locked = WaitingListEntry.objects.select_for_update().get(
            organization=entry.organization, pk=entry.pk
        )
        was_offered = locked.status == WaitingListEntry.Status.OFFERED
        if locked.status not in (WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED):
            return
        locked.status = WaitingListEntry.Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        audit_log(
            action="waitlist.withdrawn",
            actor=actor,
            organization=locked.organization,
            target=locked,
        )
        if was_offered:  # the unit reserved for this person goes to the next one
            unit_free(product=locked.product, now=now)
