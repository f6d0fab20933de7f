"""Enforcement jobs: unpaid notices sent to collection (scheduled, daily)."""

from __future__ import annotations

from django.tasks import task

from parcauto.core.clock import now
from parcauto.subscriptions.services.daily import each_institution

from .services.collection import notices_to_collection


@task()
def send_notices_to_collection() -> int:
    """Each institution's notices unpaid past their collection date go to collection."""
    return each_institution(notices_to_collection, now=now())
