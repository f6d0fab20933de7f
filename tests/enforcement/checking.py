"""What the plate-check tests share: a monthly permit's lot, its grants, and notices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parcauto.access.models import AccessGrant
from parcauto.catalog.models import ParkingLot, PermitProduct
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticeReason
from parcauto.enforcement.services.numbers import notice_number_next
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from tests.access.grants import contract_of, grant_for
from tests.factories import UserFactory
from tests.offers import Offer, supervisor_offer
from tests.scoping import within_its_institution

# Sunday 6 December 2026, 10:15 in Quebec.
NOW = dt.datetime(2026, 12, 6, 10, 15, tzinfo=LOCAL_TZ)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


@within_its_institution
def monthly_offer(organization: Organization, **fields) -> Offer:
    """Guide 001's offer, its permit monthly (an episodic one says "valid until")."""
    offer = supervisor_offer(organization, **fields)
    PermitProduct.objects.filter(pk=offer.product.pk).update(kind=PermitProduct.Kind.MONTHLY)
    offer.product.refresh_from_db()
    return offer


def permit(
    offer: Offer,
    plate: str,
    *,
    jurisdiction: str = "QC",
    lot: ParkingLot | None = None,
    **window,
) -> AccessGrant:
    """A contract of the offer started a month ago whose plate has a grant (valid unless
    said otherwise) in the offer's lot or `lot`."""
    contract = contract_of(offer, start=(NOW - 30 * DAY).date())
    window.setdefault("contract_from", NOW - 30 * DAY)
    return grant_for(contract, plate=plate, jurisdiction=jurisdiction, lot=lot, **window)


def contract_number(grant: AccessGrant) -> int:
    return Subscription.objects.get(pk=grant.subscription_id).contract_number


@within_its_institution
def notice_for(
    organization: Organization,
    *,
    lot: ParkingLot,
    plate: str,
    observed_at: dt.datetime,
    state: str = ClaimNotice.State.ISSUED,
) -> ClaimNotice:
    return ClaimNotice.objects.create(
        organization=organization,
        number=notice_number_next(),
        lot=lot,
        plate=plate,
        jurisdiction="QC",
        observed_at=observed_at,
        reason=NoticeReason.NO_PERMIT,
        agent=UserFactory(),
        pre_tax=Decimal("50.00"),
        gst=Decimal("0.00"),
        qst=Decimal("0.00"),
        total=Decimal("50.00"),
        due_date=(observed_at + 30 * DAY).date(),
        issued_at=observed_at,
        state=state,
        state_changed_at=observed_at,
    )
