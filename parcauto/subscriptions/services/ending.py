"""The daily job that ends contracts whose last day has passed (end of term).

An ended contract holds no unit any more and its pass is voided (`access`, after
commit) unless the same person's next term takes it over (guide 000's renewal).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from parcauto.audit.services import audit_log
from parcauto.tenants.models import Organization

from ..access_refresh import access_refresh_queue
from ..models import Subscription
from .daily import each_institution
from .units import unit_give_back

# Contracts whose term can run out (a suspended one ends too: its days are over). An
# ENDING one (its person cancelled it) is ended by `servicedesk.tasks.end_contracts_due`,
# which settles its final account as well.
ENDABLE = (
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,
)


def subscriptions_end_due(*, now: dt.datetime) -> int:
    """Daily job: contracts whose end date is before today become ended."""
    return each_institution(_end_due, now=now)


def _end_due(*, organization: Organization, today: dt.date, now: dt.datetime) -> int:
    due = list(
        Subscription.objects.filter(
            organization=organization, status__in=ENDABLE, end_date__lt=today
        ).values_list("pk", flat=True)
    )
    ended = 0
    for pk in due:
        with transaction.atomic():
            contract = (
                Subscription.objects.select_for_update(of=("self",))
                .select_related("product", "product__organization")
                .filter(organization=organization, pk=pk, status__in=ENDABLE)
                .first()
            )
            if contract is None:  # another run got there first
                continue
            previous = contract.status
            contract.status = Subscription.Status.ENDED
            # To the waiting list only while the permit is on sale: a semester permit's
            # own term is over too, and an offer of it could not be taken up.
            unit_give_back(subscription=contract, now=now, offer=contract.product.is_on_sale(now))
            contract.save(update_fields=["status", "holds_unit", "updated_at"])
            audit_log(
                action="subscription.ended",
                actor=None,
                organization=organization,
                target=contract,
                data={"end_date": contract.end_date.isoformat(), "previous_status": previous},
            )
            access_refresh_queue(contract)
            ended += 1
    return ended
