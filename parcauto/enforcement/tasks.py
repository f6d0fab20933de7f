"""Enforcement jobs (scheduled): unpaid notices sent to collection, lost payments settled."""

from __future__ import annotations

from django.tasks import task

from parcauto.core.clock import now
from parcauto.subscriptions.services.daily import each_institution

from .services.collection import notices_to_collection
from .services.payments import lost_notice_payments_settle


@task()
def send_notices_to_collection() -> int:
    """Each institution's notices unpaid past their collection date go to collection."""
    return each_institution(notices_to_collection, now=now())


@task()
def settle_lost_notice_payments() -> int:
    """Each institution's notice payments whose answer was lost: the gateway is asked."""
    return each_institution(lost_notice_payments_settle, now=now())
