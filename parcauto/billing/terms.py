"""What billing reads of a contract: the statuses that are billed, and its terms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from parcauto.subscriptions.models import Subscription

# States in which a contract is billed: approved (it may start later) and running.
# Suspended too: suspension is a step of the dunning, not a pause of the contract (the
# space stays held, the unit taken, and the conditions refund no rent): its months are
# still owed, a payment lifts it, and the run still cancels it when the policy says so.
BILLED_STATUSES = (
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,
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
