"""Reads of passes and grants, narrowed to one contract or one person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from parcauto.accounts.models import Profile, User
from parcauto.catalog.models import ParkingLot
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization

from .models import AccessGrant, AccessPass
from .states import pass_state_for
from .tokens import TokenUnreadable, token_unseal


def pass_for_subscription(*, subscription: Subscription) -> AccessPass | None:
    """The pass a contract shows: its own, or its previous term's that it will take over
    (the same QR code, renewed in place when this term starts)."""
    return (
        AccessPass.objects.filter(
            Q(subscription=subscription) | Q(successor=subscription),
            organization_id=subscription.organization_id,
        )
        .order_by("-pk")
        .first()
    )


def passes_of(*, person: User, organization: Organization) -> QuerySet[AccessPass]:
    """The person's passes on this portal (voided ones included), newest first."""
    return (
        AccessPass.objects.filter(organization=organization, subscription__person=person)
        .select_related("subscription", "subscription__product", "subscription__lot")
        .order_by("-pk")
    )


def grants_of(*, subscription: Subscription) -> QuerySet[AccessGrant]:
    return AccessGrant.objects.filter(subscription=subscription).order_by(
        "lot_id", "kind", "valid_from", "id"
    )


@dataclass(frozen=True)
class PlateShown:
    plate: str
    jurisdiction: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None

    def in_effect(self, at: dt.datetime) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)

    @property
    def last_minute(self) -> dt.datetime | None:
        """The last minute the plate is recognised: `valid_until` is excluded, and "until
        1 June 00:00" would read as a day too many."""
        return None if self.valid_until is None else self.valid_until - dt.timedelta(minutes=1)


@dataclass(frozen=True)
class PassCard:
    """What a pass shows for one contract: the pass page, the e-mail, the PDF, wallets."""

    access_pass: AccessPass
    contract: Subscription
    token: str | None  # None: no configured key opens it any more (regenerate it)
    state: str
    holder: str
    lots: list[ParkingLot]
    plates: list[PlateShown]
    valid_from: dt.date
    valid_until: dt.date | None

    @property
    def state_label(self) -> str:
        return str(AccessPass.State(self.state).label)

    @property
    def renewed_from_previous_term(self) -> bool:
        """This contract will take over a pass that still shows the previous term."""
        return self.access_pass.subscription_id != self.contract.pk


def pass_token_or_none(access_pass: AccessPass) -> str | None:
    """The token to show (QR code, wallets); None when no configured key opens it."""
    try:
        return token_unseal(access_pass.token_sealed)
    except TokenUnreadable:
        return None


def pass_card(*, access_pass: AccessPass, contract: Subscription, now: dt.datetime) -> PassCard:
    """The pass as shown for `contract` (its own, or the next term's it goes to)."""
    token = pass_token_or_none(access_pass)
    lots = list(
        ParkingLot.objects.filter(
            Q(pk=contract.lot_id) | Q(products=contract.product_id),
            organization_id=contract.organization_id,
        )
        .distinct()
        .order_by("number")
    )
    shown = access_pass.state if access_pass.subscription_id == contract.pk else None
    return PassCard(
        access_pass=access_pass,
        contract=contract,
        token=token,
        state=shown or pass_state_for(contract.status),
        holder=_holder(contract),
        lots=lots,
        plates=_plates_shown(contract, now),
        valid_from=contract.start_date,
        valid_until=contract.end_date,
    )


def _holder(contract: Subscription) -> str:
    profile = Profile.objects.filter(user_id=contract.person_id).first()
    return profile.full_name if profile else contract.person.email


def _plates_shown(contract: Subscription, now: dt.datetime) -> list[PlateShown]:
    """Each plate once (whatever the number of lots), with when it opens and until when;
    ranges already over are history, not shown."""
    rows = (
        grants_of(subscription=contract)
        .filter(kind=AccessGrant.Kind.PLATE)
        .filter(state__in=[AccessGrant.State.VALID, AccessGrant.State.SUSPENDED])
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .values_list("credential", "jurisdiction", "valid_from", "valid_until")
        .distinct()
        .order_by("valid_from", "credential")
    )
    return [PlateShown(*row) for row in rows]
