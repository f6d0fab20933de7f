"""The retry job: messages refused earlier, or left SENDING by a worker that died.

Run every minute by the scheduler (`tasks.retry_emails`). It sends the due messages
itself, one claim at a time (`delivery.email_claim`), so two runs that overlap split
the work and never send a message twice. It stops at the first message that does not
go: the server is down or refusing, and the rest would only wait for its time-outs;
those were not attempted, so they lose none of their attempts.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q

from .delivery import Outcome, email_deliver
from .models import OutboundEmail

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status
BATCH = 200  # messages per run at most: the next run, a minute later, takes the rest
WORKER_STOPPED = (
    "The worker stopped while sending: the message may have gone out; the next attempt "
    "carries the same Message-ID."
)


def emails_retry(*, now: dt.datetime) -> int:
    """Release the messages stuck in SENDING, then send what is due; returns how many went."""
    emails_stuck_release(now=now)
    sent = 0
    for email_id in _due(now):
        outcome = email_deliver(email_id=email_id)
        if outcome is Outcome.NOT_SENT:
            break
        sent += outcome is Outcome.SENT
    return sent


def emails_stuck_release(*, now: dt.datetime) -> int:
    """Messages SENDING for longer than any send takes: their worker died. Back in the
    queue at once (an attempt was counted when it was taken), or FAILED if it was the last."""
    timeout = dt.timedelta(seconds=settings.PARCAUTO_EMAIL_SENDING_TIMEOUT_SECONDS)
    stuck = OutboundEmail.objects.filter(status=Status.SENDING, sending_since__lt=now - timeout)
    failed = stuck.filter(attempts__gte=settings.PARCAUTO_EMAIL_MAX_ATTEMPTS).update(
        status=Status.FAILED, sending_since=None, next_attempt_at=None, last_error=WORKER_STOPPED
    )
    queued = stuck.update(
        status=Status.QUEUED, sending_since=None, next_attempt_at=now, last_error=WORKER_STOPPED
    )
    if failed or queued:
        logger.warning("e-mails a stopped worker left: %s queued again, %s failed", queued, failed)
    return failed + queued


def _due(now: dt.datetime) -> list[int]:
    # A message never tried whose task was lost (a backend without the database queue
    # loses what was queued after commit if the process dies): once it is as old as a
    # send may take, the job sends it too.
    grace = dt.timedelta(seconds=settings.PARCAUTO_EMAIL_SENDING_TIMEOUT_SECONDS)
    due = OutboundEmail.objects.filter(status=Status.QUEUED).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - grace)
    )
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
