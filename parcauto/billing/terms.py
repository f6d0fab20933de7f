"""What billing reads of a contract: the statuses that are billed, and its terms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from parcauto.subscriptions.models import Subscription

# States in which a contract is billed: approved (it may start later) and running.
BILLED_STATUSES = (
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.ENDING,
)


@dataclass(frozen=True)
class ContractTerms:
    """What billing reads of a contract, as one `values()` row of the run gives it."""

    id: int
    organization_id: int
    start_date: dt.date
    end_date: dt.date | None
    price: Decimal
    taxable: bool
    payment_method: str
