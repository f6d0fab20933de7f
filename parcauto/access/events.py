"""Reading the gate events: a contract's passages, newest first, for the back office."""

from __future__ import annotations

from parcauto.subscriptions.models import Subscription

from .models import AccessEvent

CONTRACT_EVENTS_SHOWN = 50


def access_events_of(
    *, subscription: Subscription, limit: int = CONTRACT_EVENTS_SHOWN
) -> list[AccessEvent]:
    """The contract's latest events with their device and lot (its time-range index)."""
    return list(
        AccessEvent.objects.filter(
            organization_id=subscription.organization_id, subscription=subscription
        )
        .select_related("device", "lot")
        .order_by("-recorded_at", "-id")[:limit]
    )
