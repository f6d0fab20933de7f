"""What a person and a patrol agent read of notices: their own, nothing else.

(The back office's lists and reports are in `selectors`.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from parcauto.accounts.models import User
from parcauto.catalog.models import ParkingLot
from parcauto.tenants.models import Organization

from .models import ClaimNotice
from .printing import notice_payment_path
from .services.pricing import notice_amount_due, notice_late

# States a person may still act on from "Mes avis" (pay, or follow a contest).
OPEN_STATES = (ClaimNotice.State.ISSUED, ClaimNotice.State.CONTESTED, ClaimNotice.State.COLLECTION)
RECENT_NOTICES = 10


@dataclass(frozen=True)
class PersonNotice:
    """One line of "Mes avis": the notice, what it costs today, where to pay it."""

    notice: ClaimNotice
    amount_due: Decimal
    late: bool
    open: bool
    payment_path: str


def notices_of_person(
    *, person: User, organization: Organization, today: dt.date
) -> list[PersonNotice]:
    """The notices this portal sent to the person's account, the latest first."""
    found = (
        ClaimNotice.objects.filter(organization=organization, person=person)
        .select_related("lot")
        .order_by("-issued_at", "-pk")
    )
    return [
        PersonNotice(
            notice=notice,
            amount_due=notice_amount_due(notice=notice, today=today),
            late=notice.state != ClaimNotice.State.PAID and notice_late(notice=notice, today=today),
            open=notice.state in OPEN_STATES,
            payment_path=notice_payment_path(notice),
        )
        for notice in found
    ]


def notices_recent_by_agent(
    *, agent: User, lots: QuerySet[ParkingLot], limit: int = RECENT_NOTICES
) -> QuerySet[ClaimNotice]:
    """The agent's own latest notices in the lots they patrol (the patrol page's side)."""
    return (
        ClaimNotice.objects.filter(agent=agent, lot__in=lots)
        .select_related("lot", "organization")
        .order_by("-issued_at", "-pk")[:limit]
    )
