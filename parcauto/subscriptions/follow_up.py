"""What follows "Soumettre", off the request path.

A submission queues one task, whatever its means of payment, in its own transaction: one
INSERT on the request path of an opening-day rush instead of one per follow-up, and no
follow-up lost if the process stops at the commit. That task queues the follow-ups,
each independent, idempotent and tried again on its own, in this order: the card's
check by the gateway's vault, the e-mail (the acknowledgment, or the contract for a
product sold without approval), then the first charge of a product sold without
approval (after the vault has the card).
"""

from __future__ import annotations

from django.tasks import task

from parcauto.billing.tasks import collect_first_invoice
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.payments.models import PaymentMethod
from parcauto.payments.tasks import vault_card

from . import emails
from .models import Subscription


@task()
def submission_follow_up(
    *,
    organization_id: int,
    subscription_id: int,
    email: str,
    card_method_id: int | None,
    collect: bool,
) -> None:
    # Each follow-up works in the request's institution, whose id it is given.
    if card_method_id is not None:
        vault_card.enqueue(organization_id=organization_id, payment_method_id=card_method_id)
    emails.send_subscription_email.enqueue(
        organization_id=organization_id, subscription_id=subscription_id, template=email
    )
    if collect:
        collect_first_invoice.enqueue(
            organization_id=organization_id, subscription_id=subscription_id
        )


def submission_follow_up_queue(request: Subscription, method: PaymentMethod | None) -> None:
    """Queue the follow-ups of a submission, with its transaction (call it inside)."""
    approved = request.status != Subscription.Status.SUBMITTED
    enqueue_with_transaction(
        submission_follow_up,
        organization_id=request.organization_id,
        subscription_id=request.pk,
        email=emails.APPROVED if approved else emails.SUBMITTED,
        card_method_id=(
            method.pk if method is not None and method.kind == PaymentMethodKind.CARD else None
        ),
        collect=approved and method is not None,
    )
