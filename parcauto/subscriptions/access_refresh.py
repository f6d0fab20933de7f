"""Telling `access` that a contract changed, without importing it (it sits above).

Every change of what a gate or a wallet shows (a status, dates) queues the access app's
task by name, with the transaction that makes the change: the pass and its grants are
rewritten once it commits, and never for a change that rolled back.
"""

from __future__ import annotations

from parcauto.core.tasks import enqueue_by_name

from .models import Subscription

ACCESS_SYNC_TASK = "parcauto.access.tasks.access_sync_contract"


def access_refresh_queue(subscription: Subscription) -> None:
    """Queue the contract's access sync (call it inside the changing transaction)."""
    enqueue_by_name(
        ACCESS_SYNC_TASK,
        organization_id=subscription.organization_id,
        subscription_id=subscription.pk,
    )
