"""Which contracts have a pass, and the state the pass and its grants take from them."""

from __future__ import annotations

from parcauto.subscriptions.models import Subscription

from .models import AccessGrant, AccessPass

Status = Subscription.Status
# Contracts that have a pass (approved ones show it before their first day).
PASS_STATUSES = Subscription.PASS_STATUSES
# Contracts that stopped: their pass is voided, their grants cancelled.
STOPPED_STATUSES = (Status.REFUSED, Status.CANCELLED, Status.PAYMENT_FAILED, Status.ENDED)
# Contracts whose first day has come.
STARTED_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.ENDING)


def pass_state_for(status: str) -> str:
    if status == Status.SUSPENDED:
        return AccessPass.State.SUSPENDED
    if status in PASS_STATUSES:
        return AccessPass.State.ACTIVE
    return AccessPass.State.VOIDED


def grant_state_for(status: str) -> str:
    if status == Status.SUSPENDED:
        return AccessGrant.State.SUSPENDED
    if status in PASS_STATUSES:
        return AccessGrant.State.VALID
    return AccessGrant.State.CANCELLED
