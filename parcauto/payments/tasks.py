"""Card tasks: gateway calls made after commit, each in its institution's scope."""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.core.clock import now
from parcauto.subscriptions.services.payments import subscription_payment_declined

from .gateways.base import CardRejected
from .models import PaymentMethod
from .services.cards import card_method_forget, card_method_vault


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
def forget_card(*, organization_id: int, payment_method_id: int) -> str:
    """Remove a refused request's card from the vault (rule 9)."""
    with scope(organization=organization_id):
        method = PaymentMethod.objects.filter(pk=payment_method_id).first()
        if method is None:
            return "missing"
        method = card_method_forget(payment_method=method, now=now())
    return method.status
