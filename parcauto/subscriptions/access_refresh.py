"""Telling `access` that a contract changed, without importing it (it sits above).

Every change of what a gate or a wallet shows (a status, dates) queues the access app's
task by name, with the transaction that makes the change: the pass and its grants are
rewritten once it commits, and never for a change that rolled back.
"""

from __future__ import annotations

from parcauto.catalog.models import PermitProduct
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


def product_access_refresh(*, product: PermitProduct) -> int:
    """The product's lots changed: queue the sync of each of its contracts with a pass.

    Grants are per lot, so a lot added to a product opens it to every holder, and a lot
    removed closes it, without waiting for each contract's next change.
    """
    contracts = Subscription.objects.filter(
        organization_id=product.organization_id,
        product=product,
        status__in=Subscription.PASS_STATUSES,
    ).only("pk", "organization_id")
    queued = list(contracts)
    for subscription in queued:
        access_refresh_queue(subscription)
    return len(queued)
