"""Contracts with their grants and devices, written directly for the access tests.

Grants are normally written by `access.services.access_sync` from the contract, its
vehicles and its pass; these builders write the rows the gates read, so each test says
exactly which window and state a credential has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from parcauto.access.devices import IssuedKey, device_register
from parcauto.access.models import AccessGrant, Device
from parcauto.accounts.models import StaffRole, User
from parcauto.catalog.models import ParkingLot
from parcauto.core.sequences import sequence_next
from parcauto.subscriptions.models import Subscription
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory
from tests.offers import Offer
from tests.scoping import within_its_institution

_numbers = iter(range(700_000, 800_000))


def pass_token() -> str:
    """A token as a pass's QR code carries one: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@within_its_institution
def contract_of(
    offer: Offer, *, status: str = Subscription.Status.ACTIVE, start: dt.date
) -> Subscription:
    return Subscription.objects.create(
        organization=offer.organization,
        person=ProfileFactory().user,
        lot=offer.lot,
        category=offer.category,
        product=offer.product,
        status=status,
        step=Subscription.Step.PAYMENT,
        start_date=start,
        price=Decimal("45.00"),
        billing_frequency="monthly",
        contract_number=next(_numbers),
    )


@within_its_institution
def grant_for(
    subscription: Subscription,
    *,
    lot: ParkingLot | None = None,
    token: str | None = None,
    plate: str | None = None,
    jurisdiction: str = "QC",
    contract_from: dt.datetime,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    state: str = AccessGrant.State.VALID,
) -> AccessGrant:
    """One grant of the contract's lot (or `lot`): a pass `token` or a `plate`."""
    is_pass = token is not None
    return AccessGrant.objects.create(
        organization=subscription.organization,
        subscription=subscription,
        lot=lot or subscription.lot,
        kind=AccessGrant.Kind.PASS if is_pass else AccessGrant.Kind.PLATE,
        credential=token_hash(token) if token is not None else plate or "",
        jurisdiction="" if is_pass else jurisdiction,
        contract_from=contract_from,
        valid_from=valid_from or contract_from,
        valid_until=valid_until,
        state=state,
        revision=grant_revision(subscription),
    )


def grant_revision(row: Subscription | AccessGrant) -> int:
    return sequence_next(name=f"tests-access-grants-{row.organization_id}", start=1)


@within_its_institution
def grant_change(grant: AccessGrant, **changes: object) -> AccessGrant:
    """Rewrite a grant as a sync would: new values, the next revision."""
    for name, value in changes.items():
        setattr(grant, name, value)
    grant.revision = grant_revision(grant)
    grant.save()
    return grant


def manager_of(lot: ParkingLot) -> User:
    return staff_member(StaffRole.Role.MANAGER, lot.organization)


@within_its_institution
def device_of(
    lot: ParkingLot,
    *,
    name: str = "Barrière A",
    lanes: str = "",
    kind: str = Device.Kind.GATE_READER,
    at: dt.datetime,
) -> IssuedKey:
    return device_register(
        organization=lot.organization,
        lot=lot,
        name=name,
        kind=kind,
        lanes=lanes,
        actor=manager_of(lot),
        now=at,
    )
