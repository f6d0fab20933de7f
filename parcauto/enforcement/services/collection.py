"""The daily job that sends unpaid notices to collection.

A notice still `issued` on its `collection_date` (its due date plus the tariff's days
before collection, copied at issue) moves to `collection` through `notice_transition`
(locked, audited), and the account the notice was sent to is told by e-mail. A contested
notice waits for the decision on its contest, one with a payment whose answer is not known
yet for that answer (`lost_notice_payments_settle`); a paid or cancelled one is never
touched. Running it twice in a day changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

from parcauto.core.tasks import enqueue_with_transaction
from parcauto.tenants.models import Organization

from ..emails import send_notice_collection_email
from ..errors import NoticeStateRefused
from ..models import ClaimNotice, NoticePayment
from .transitions import notice_transition


def notices_to_collection(*, organization: Organization, today: dt.date, now: dt.datetime) -> int:
    """Send this institution's notices due for collection; how many were sent."""
    due = (
        ClaimNotice.objects.filter(
            organization=organization,
            state=ClaimNotice.State.ISSUED,
            collection_date__isnull=False,
            collection_date__lte=today,
        )
        .exclude(payments__status=NoticePayment.Status.SENT)
        .order_by("pk")
    )
    sent = 0
    for notice in due:
        try:
            notice_transition(
                notice=notice,
                to=ClaimNotice.State.COLLECTION,
                actor=None,
                reason=gettext("Unpaid after the due date."),
                data={"collection_date": notice.collection_date.isoformat()},
            )
        except NoticeStateRefused:  # paid or contested since the query: leave it
            continue
        if notice.person_id is not None:
            enqueue_with_transaction(
                send_notice_collection_email, organization_id=organization.pk, notice_id=notice.pk
            )
        sent += 1
    return sent
