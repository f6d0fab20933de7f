"""Periodic jobs of the subscription domain (enqueued by the scheduler)."""

from __future__ import annotations

from django.tasks import task

from parcauto.core.clock import now

from .services.activation import subscriptions_activate_due
from .services.ending import subscriptions_end_due
from .services.units import waitlist_expire_offers


@task()
def activate_due_subscriptions() -> int:
    return subscriptions_activate_due(now=now())


@task()
def end_due_subscriptions() -> int:
    return subscriptions_end_due(now=now())


@task()
def expire_waitlist_offers() -> int:
    return waitlist_expire_offers(now=now())
