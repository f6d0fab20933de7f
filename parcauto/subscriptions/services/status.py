"""A contract's access held back for an unpaid charge, and given back once paid.

Billing decides when (its dunning policy, a payment that settles the overdue invoice);
these functions make the change, audit it and have the pass follow (suspended, then
active again: `access` rewrites the pass and its grants after commit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.core.clock import local_today

from ..access_refresh import access_refresh_queue
from ..models import Subscription

# A contract in force can be suspended; approved ones too (their first day may come
# while a charge is unpaid).
SUSPENDABLE = (
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.ENDING,
)


def _locked(subscription: Subscription) -> Subscription:
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(organization_id=subscription.organization_id, pk=subscription.pk)
    )


def subscription_suspend(
    *,
    subscription: Subscription,
    actor: User | None,
    reason: str,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> bool:
    """Suspend the contract (no access until it is reactivated); False if it was not in
    force (already suspended, ended, cancelled...): a second call changes nothing."""
    with transaction.atomic():
        contract = _locked(subscription)
        if contract.status not in SUSPENDABLE:
            return False
        previous = contract.status
        contract.status = Subscription.Status.SUSPENDED
        contract.suspended_at = now
        contract.save(update_fields=["status", "suspended_at", "updated_at"])
        audit_log(
            action="subscription.suspended",
            actor=actor,
            organization=contract.organization,
            target=contract,
            data={"reason": reason, "previous_status": previous, **(data or {})},
        )
        access_refresh_queue(contract)
    subscription.status, subscription.suspended_at = contract.status, contract.suspended_at
    return True


def subscription_reactivate(
    *,
    subscription: Subscription,
    actor: User | None,
    reason: str,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> bool:
    """A suspended contract in force again: active, or approved when its first day has
    not come yet (the daily activation takes it from there). False when it was not
    suspended."""
    with transaction.atomic():
        contract = _locked(subscription)
        if contract.status != Subscription.Status.SUSPENDED:
            return False
        if contract.start_date <= local_today(now):
            contract.status = Subscription.Status.ACTIVE
            contract.activated_at = contract.activated_at or now
        else:
            contract.status = Subscription.Status.APPROVED
        contract.suspended_at = None
        contract.save(update_fields=["status", "suspended_at", "activated_at", "updated_at"])
        audit_log(
            action="subscription.reactivated",
            actor=actor,
            organization=contract.organization,
            target=contract,
            data={"reason": reason, "status": contract.status, **(data or {})},
        )
        access_refresh_queue(contract)
    subscription.status, subscription.suspended_at = contract.status, contract.suspended_at
    return True
