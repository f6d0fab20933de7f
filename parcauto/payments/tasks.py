"""Card tasks: gateway calls made after commit, each in its institution's scope.

The vault check of a submitted card is the sale's (`sales.tasks.vault_card`): a refusal
ends the contract, which is billing's to do."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.tasks import task
from django_scopes import scope

from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import now
from parcauto.subscriptions.models import Subscription

from .models import PaymentMethod
from .services.cards import card_method_forget


@task()
def forget_card(*, organization_id: int, payment_method_id: int) -> str:
    """Remove a refused request's card from the vault (rule 9)."""
    with scope(organization=organization_id):
        method = PaymentMethod.objects.filter(pk=payment_method_id).first()
        if method is None:
            return "missing"
        method = card_method_forget(payment_method=method, now=now())
    return method.status


def card_forget_after_commit(*, subscription: Subscription) -> None:
    """Rule 9: the contract's card leaves the vault by the `forget_card` task once the
    caller's transaction commits (no gateway call inside it; the task is tried again)."""
    for method_id in PaymentMethod.objects.filter(
        subscription=subscription,
        kind=PaymentMethodKind.CARD,
        status__in=PaymentMethod.CURRENT_STATUSES,
    ).values_list("pk", flat=True):
        transaction.on_commit(
            partial(
                forget_card.enqueue,
                organization_id=subscription.organization_id,
                payment_method_id=method_id,
            )
        )
