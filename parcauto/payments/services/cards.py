"""Credit cards: from the iframe's temporary token to a vaulted card, and back to nothing.

The submit step only records the temporary token (`card_method_record`, cheap, inside
its transaction); the sale's `vault_card` task, queued after commit by the submission's
follow-up, turns it into a vault profile (`card_method_vault`), since a gateway call
must never hold a database transaction open. "Mettre à jour la carte de crédit" vaults
the new card first and swaps the rows in one transaction (`card_method_replace`); a
refused request forgets the card (rule 9, `tasks.card_forget_after_commit`, then
`card_method_forget` in the task). The card number itself never reaches us (rule 21).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import transaction

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import PaymentMethodKind
from parcauto.subscriptions.models import Subscription

from ..gateways import get_gateway
from ..gateways.base import CardProfile, CardRejected, GatewayError
from ..models import PaymentMethod

logger = logging.getLogger(__name__)

# What `_card_fill` sets from the vault's answer.
CARD_FIELDS = [
    "temporary_token", "data_key", "issuer_id", "card_brand", "card_last4", "card_expiry",
]  # fmt: skip


def card_method_record(
    *, subscription: Subscription, temporary_token: str, now: dt.datetime
) -> PaymentMethod:
    """The card chosen at submission, still to be verified: no gateway call here.

    Call it inside the submit transaction; the `vault_card` task, queued after commit by
    the submission's follow-up, verifies and stores it.
    """
    return PaymentMethod.objects.create(
        organization_id=subscription.organization_id,
        subscription=subscription,
        person_id=subscription.person_id,
        kind=PaymentMethodKind.CARD,
        status=PaymentMethod.Status.PENDING,
        gateway=get_gateway().name,
        temporary_token=temporary_token,
    )


def card_method_vault(*, payment_method: PaymentMethod, now: dt.datetime) -> PaymentMethod:
    """Verify and store the card of a PENDING method (idempotent: other statuses are left).

    Raises CardRejected (the method is then REVOKED) or GatewayError (it stays PENDING,
    to be tried again). Must run outside any transaction: it waits for the gateway.
    """
    # The caller's copy may be stale (the task may have run since): the row decides.
    payment_method.refresh_from_db()
    if payment_method.status != PaymentMethod.Status.PENDING or not payment_method.temporary_token:
        return payment_method
    gateway = get_gateway()
    try:
        profile = gateway.vault_add(
            temporary_token=payment_method.temporary_token,
            customer_id=_customer_id(payment_method.subscription_id),
        )
    except CardRejected:
        revoked = PaymentMethod.objects.filter(
            pk=payment_method.pk, status=PaymentMethod.Status.PENDING
        ).update(status=PaymentMethod.Status.REVOKED, temporary_token="", revoked_at=now)
        payment_method.refresh_from_db()
        if revoked:
            raise
        # Another run used the token first (one use only): its outcome stands.
        return payment_method
    with transaction.atomic():
        status = (
            PaymentMethod.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=payment_method.pk)
        )
        if status == PaymentMethod.Status.PENDING:
            _card_fill(payment_method, profile)
            payment_method.status = PaymentMethod.Status.ACTIVE
            payment_method.save(update_fields=[*CARD_FIELDS, "status", "updated_at"])
            return payment_method
    # Refused or replaced while the gateway was answering: the new profile has no owner.
    _vault_forget(profile.data_key)
    payment_method.refresh_from_db()
    return payment_method


def card_method_replace(
    *, subscription: Subscription, temporary_token: str, actor: User | None, now: dt.datetime
) -> PaymentMethod:
    """ "Mettre à jour la carte de crédit": the new card becomes the contract's method.

    The new card is vaulted first (CardRejected leaves everything as it was); the old
    method is retired and the new one activated in one transaction; the old card leaves
    the vault after commit.
    """
    gateway = get_gateway()
    profile = gateway.vault_add(
        temporary_token=temporary_token, customer_id=_customer_id(subscription.pk)
    )
    try:
        with transaction.atomic():
            old_methods = list(
                PaymentMethod.objects.select_for_update().filter(
                    subscription=subscription, status__in=PaymentMethod.CURRENT_STATUSES
                )
            )
            for old in old_methods:
                old.status = PaymentMethod.Status.REPLACED
                old.temporary_token = ""
                old.revoked_at = now
                old.save(update_fields=["status", "temporary_token", "revoked_at", "updated_at"])
            method = PaymentMethod(
                organization_id=subscription.organization_id,
                subscription=subscription,
                person_id=subscription.person_id,
                kind=PaymentMethodKind.CARD,
                status=PaymentMethod.Status.ACTIVE,
                gateway=gateway.name,
            )
            _card_fill(method, profile)
            method.save()
            if subscription.payment_method != PaymentMethodKind.CARD:
                subscription.payment_method = PaymentMethodKind.CARD
                subscription.save(update_fields=["payment_method", "updated_at"])
            audit_log(
                action="payment_method.card_replaced",
                actor=actor,
                organization=subscription.organization,
                target=subscription,
                data={
                    "new_method": method.pk,
                    "old_methods": [old.pk for old in old_methods],
                    "card": f"{profile.brand} {profile.last4}",
                },
            )
            for old in old_methods:
                if old.data_key:
                    transaction.on_commit(partial(_vault_forget, old.data_key))
    except Exception:
        _vault_forget(profile.data_key)
        raise
    return method


def card_method_forget(*, payment_method: PaymentMethod, now: dt.datetime) -> PaymentMethod:
    """A refused request keeps no card (rule 9): out of the vault, tokens and details erased.

    Call it outside a transaction (after commit, or from the `forget_card` task): a
    GatewayError leaves the method untouched so that it can be tried again.
    """
    if payment_method.data_key:
        get_gateway().vault_delete(data_key=payment_method.data_key)
    PaymentMethod.objects.filter(pk=payment_method.pk).update(
        status=PaymentMethod.Status.REVOKED,
        temporary_token="",
        data_key="",
        issuer_id="",
        card_brand="",
        card_last4="",
        card_expiry="",
        revoked_at=now,
        updated_at=now,
    )
    payment_method.refresh_from_db()
    return payment_method


def _card_fill(method: PaymentMethod, profile: CardProfile) -> None:
    method.temporary_token = ""
    method.data_key = profile.data_key
    method.issuer_id = profile.issuer_id
    method.card_brand = profile.brand
    method.card_last4 = profile.last4
    method.card_expiry = profile.expiry


def _customer_id(subscription_id: int) -> str:
    # The vault's customer reference (Moneris cust_id): the contract, never a name.
    return f"contract-{subscription_id}"


def _vault_forget(data_key: str) -> None:
    try:
        get_gateway().vault_delete(data_key=data_key)
    except GatewayError:
        # Nothing charges an orphan profile; it is logged to be removed by hand.
        logger.warning("Could not delete a vault profile (data key ending %s)", data_key[-4:])
