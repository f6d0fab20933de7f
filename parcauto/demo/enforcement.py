"""Demo enforcement: each institution's tariff of claim notices (one amount per reason)
and two notices in the CHUS lot, issued by the demo patrol agent through the service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parcauto.accounts.models import User
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.clock import now as clock_now
from parcauto.enforcement.models import ClaimNotice, NoticeReason, NoticeTariff
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from parcauto.tenants.models import Organization

from .people import PATROL_EMAIL
from .upsert import upsert

# Amounts taxes included where taxable; the CEM's claim is a taxable service fee.
AMOUNTS = {
    NoticeReason.NO_PERMIT: Decimal("75.00"),
    NoticeReason.WRONG_LOT: Decimal("50.00"),
    NoticeReason.EXPIRED: Decimal("50.00"),
    NoticeReason.SUSPENDED: Decimal("50.00"),
    NoticeReason.RESERVED_SPOT: Decimal("100.00"),
    NoticeReason.OTHER: Decimal("40.00"),
}
TAXABLE = {"cem": True, "ciusse-chus": False, "cisso": False}
# (plate, reason, zone, make, colour, days ago): made-up plates of no demo account.
NOTICES = [
    ("DEM0001", NoticeReason.NO_PERMIT, "P2-14", "Honda", "Bleu", 1),
    ("DEM0002", NoticeReason.RESERVED_SPOT, "Handicapé 3", "Ford", "Noir", 3),
]
NOTICE_LOT = ("ciusse-chus", "1085")


def load_enforcement(organizations: dict[str, Organization]) -> None:
    for slug, organization in organizations.items():
        for reason, amount in AMOUNTS.items():
            upsert(
                NoticeTariff,
                lookup={"organization": organization, "reason": reason},
                values={
                    "amount": amount,
                    "taxable": TAXABLE.get(slug, False),
                    "due_days": 30,
                    "late_fee": Decimal("15.00"),
                    "collection_days": 60,
                    "is_active": True,
                },
            )
    slug, lot_number = NOTICE_LOT
    organization = organizations[slug]
    lot = ParkingLot.objects.get(organization=organization, number=lot_number)
    agent = User.objects.get(email=PATROL_EMAIL)
    now = clock_now()
    for plate, reason, zone, make, colour, days_ago in NOTICES:
        # One per demo plate, whenever the demo is loaded again.
        if ClaimNotice.objects.filter(organization=organization, plate=plate).exists():
            continue
        seen = (now - dt.timedelta(days=days_ago)).astimezone(LOCAL_TZ)
        notice_issue(
            organization=organization,
            draft=NoticeDraft(
                lot=lot,
                plate=plate,
                jurisdiction="QC",
                reason=reason,
                observed_at=seen.replace(hour=9, minute=40, second=0, microsecond=0),
                zone=zone,
                vehicle_make=make,
                vehicle_colour=colour,
            ),
            agent=agent,
            now=now,
        )
