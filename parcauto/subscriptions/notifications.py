"""Who hears of what: each lifecycle event queues its e-mail once the transaction commits."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from . import emails
from .models import Subscription, WaitingListEntry


def _send_after_commit(subscription: Subscription, template: str) -> None:
    transaction.on_commit(
        partial(
            emails.send_subscription_email.enqueue,
            organization_id=subscription.organization_id,
            subscription_id=subscription.pk,
            template=template,
        )
    )


def on_approved(subscription: Subscription) -> None:
    _send_after_commit(subscription, emails.APPROVED)


def on_refused(subscription: Subscription) -> None:
    _send_after_commit(subscription, emails.REFUSED)


def on_cancelled(subscription: Subscription) -> None:
    _send_after_commit(subscription, emails.CANCELLED)


def on_waitlist_offer(entry: WaitingListEntry) -> None:
    transaction.on_commit(
        partial(
            emails.send_waitlist_offer.enqueue,
            organization_id=entry.organization_id,
            entry_id=entry.pk,
        )
    )
