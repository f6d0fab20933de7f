"""The daily job that activates approved contracts whose start date has come."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from parcauto.audit.services import audit_log
from parcauto.tenants.models import Organization

from ..access_refresh import access_refresh_queue
from ..models import Subscription
from .daily import each_institution


def subscriptions_activate_due(*, now: dt.datetime) -> int:
    """Daily job: approved contracts whose start date has come become active."""
    return each_institution(_activate_due, now=now)


def _activate_due(*, organization: Organization, today: dt.date, now: dt.datetime) -> int:
    due = list(
        Subscription.objects.filter(
            organization=organization, status=Subscription.Status.APPROVED, start_date__lte=today
        ).values_list("pk", flat=True)
    )
    activated = 0
    for pk in due:
        with transaction.atomic():
            request = (
                Subscription.objects.select_for_update()
                .filter(organization=organization, pk=pk, status=Subscription.Status.APPROVED)
                .first()
            )
            if request is None:  # another run got there first
                continue
            request.status = Subscription.Status.ACTIVE
            request.activated_at = now
            request.save(update_fields=["status", "activated_at", "updated_at"])
            audit_log(
                action="subscription.activated",
                actor=None,
                organization=organization,
                target=request,
            )
            access_refresh_queue(request)
            activated += 1
    return activated
