"""What follows "Soumettre", off the request path.

A submission queues one task, whatever its means of payment, in its own transaction: one
INSERT on the request path of an opening-day rush instead of one per follow-up, and no
follow-up lost if the process stops at the commit. That task queues the follow-ups,
each independent, idempotent and tried again on its own, in this order: the card's
check by the gateway's vault, the e-mail (the acknowledgment, or the purchase
confirmation with the contract for a product sold without approval), then, for a product
sold without approval, the first charge (after the vault has the card) and the pass.
"""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.access.tasks import access_sync_contract
from parcauto.billing.services.nonpayment import subscription_payment_declined
from parcauto.billing.tasks import collect_first_invoice
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import now
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.payments.gateways.base import CardRejected
from parcauto.payments.models import PaymentMethod
from parcauto.payments.services.cards import card_method_vault
from parcauto.subscriptions import emails
from parcauto.subscriptions.models import Subscription


@task()
def vault_card(*, organization_id: int, payment_method_id: int) -> str:
    """Verify and store a submitted card; run twice, the second run changes nothing.

    A card the vault refuses is as good as a declined first charge (rule 54): the
    request is cancelled, its unit goes back on sale and the person is told. The first
    charge's collection may meet the refusal first (billing's `invoice_collect`): only
    one of them sees CardRejected, so the contract is cancelled once.
    """
    with scope(organization=organization_id):
        method = PaymentMethod.objects.filter(pk=payment_method_id).first()
        if method is None:
            return "missing"
        moment = now()
        try:
            method = card_method_vault(payment_method=method, now=moment)
        except CardRejected:
            subscription_payment_declined(subscription=method.subscription, now=moment)
            return PaymentMethod.Status.REVOKED
    return method.status


@task()
def submission_follow_up(
    *,
    organization_id: int,
    subscription_id: int,
    email: str,
    card_method_id: int | None,
    collect: bool,
    sync_access: bool = False,
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
    if sync_access:
        access_sync_contract.enqueue(
            organization_id=organization_id, subscription_id=subscription_id
        )


def submission_follow_up_queue(request: Subscription, method: PaymentMethod | None) -> None:
    """Queue the follow-ups of a submission, with its transaction (call it inside)."""
    approved = request.status != Subscription.Status.SUBMITTED
    enqueue_with_transaction(
        submission_follow_up,
        organization_id=request.organization_id,
        subscription_id=request.pk,
        email=emails.PURCHASED if approved else emails.SUBMITTED,
        card_method_id=(
            method.pk if method is not None and method.kind == PaymentMethodKind.CARD else None
        ),
        collect=approved and method is not None,
        sync_access=approved,
    )
