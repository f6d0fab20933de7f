"""What an unpaid contract becomes: cancelled when its first charge is declined, then for
later charges: retried, suspended and cancelled on the institution's schedule (billing
decides when, from its BillingPolicy; these functions make the change and tell the person).
A suspended contract is active again once every invoice that suspended it is paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from parcauto.audit.services import audit_log
from parcauto.payments.tasks import card_forget_after_commit
from parcauto.subscriptions.access_refresh import access_refresh_queue
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services.status import subscription_reactivate, subscription_suspend
from parcauto.subscriptions.services.units import unit_give_back

from .. import emails
from ..models import Invoice

# A contract in these states can still lose its rights for not paying.
_PAYABLE = (
    Subscription.Status.SUBMITTED,
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,
    Subscription.Status.ENDING,
)
# An invoice in these states no longer holds a suspension (paid, or nothing more owed).
_SETTLED = (Invoice.Status.PAID, Invoice.Status.VOID, Invoice.Status.WRITTEN_OFF)


def _locked(subscription: Subscription) -> Subscription:
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("organization", "product", "product__organization")
        .get(organization_id=subscription.organization_id, pk=subscription.pk)
    )


def _end_for_nonpayment(
    subscription: Subscription,
    *,
    action: str,
    invoice: Invoice | None,
    template: str,
    now: dt.datetime,
) -> Subscription:
    with transaction.atomic():
        contract = _locked(subscription)
        if contract.status not in _PAYABLE:
            return contract  # already ended: a second call changes nothing
        contract.status = Subscription.Status.PAYMENT_FAILED
        contract.cancelled_at = now
        unit_give_back(subscription=contract, now=now)
        contract.save(update_fields=["status", "cancelled_at", "holds_unit", "updated_at"])
        # Nothing more will be charged to a card that was declined (rule 9's spirit).
        card_forget_after_commit(subscription=contract)
        access_refresh_queue(contract)  # its pass is voided
        audit_log(
            action=action,
            actor=None,
            organization=contract.organization,
            target=contract,
            data={"invoice": invoice.number if invoice is not None else None},
        )
        emails.billing_email_after_commit(subscription=contract, template=template, invoice=invoice)
    return contract


def subscription_payment_declined(
    *, subscription: Subscription, now: dt.datetime, invoice: Invoice | None = None
) -> Subscription:
    """The first charge was declined: the contract is cancelled and its unit freed (rule 54)."""
    return _end_for_nonpayment(
        subscription,
        action="subscription.payment_declined",
        invoice=invoice,
        template=emails.PAYMENT_DECLINED,
        now=now,
    )


def subscription_cancel_for_nonpayment(
    *, subscription: Subscription, invoice: Invoice, now: dt.datetime
) -> Subscription:
    """A charge still unpaid after the policy's delay: the contract ends, its unit is freed."""
    return _end_for_nonpayment(
        subscription,
        action="subscription.cancelled_for_nonpayment",
        invoice=invoice,
        template=emails.CANCELLED,
        now=now,
    )


def subscription_suspend_for_nonpayment(
    *, subscription: Subscription, invoice: Invoice, now: dt.datetime
) -> bool:
    """A charge unpaid after the policy's delay suspends the contract, once per invoice.

    The suspension is kept on the invoice (`suspended_at`) and on the contract (status
    SUSPENDED: its pass says "Suspendu", gates refuse it); paying every invoice that
    suspended it lifts it (`subscriptions_reactivate_paid`). False when the invoice was
    already suspended, is paid, or the contract has ended.
    """
    with transaction.atomic():
        contract = _locked(subscription)
        if contract.status not in _PAYABLE:
            return False
        claimed = Invoice.objects.filter(
            pk=invoice.pk, suspended_at__isnull=True, status=Invoice.Status.FAILED
        ).update(suspended_at=now)
        if not claimed:
            return False
        invoice.suspended_at = now
        audit_log(
            action="subscription.suspended_for_nonpayment",
            actor=None,
            organization=contract.organization,
            target=contract,
            data={"invoice": invoice.number},
        )
        # Already suspended by an earlier invoice: it stays so, nothing more to change.
        subscription_suspend(
            subscription=contract,
            actor=None,
            reason="nonpayment",
            now=now,
            data={"invoice": invoice.number},
        )
        emails.billing_email_after_commit(
            subscription=contract, template=emails.SUSPENDED, invoice=invoice
        )
    return True


def subscription_payment_failed(
    *, subscription: Subscription, invoice: Invoice, now: dt.datetime
) -> None:
    """A later charge was declined: recorded, and the person told when it is tried again."""
    audit_log(
        action="subscription.payment_failed",
        actor=None,
        organization=subscription.organization,
        target=subscription,
        data={
            "invoice": invoice.number,
            "failed_attempts": invoice.failed_attempts,
            "next_attempt_on": invoice.next_attempt_on.isoformat()
            if invoice.next_attempt_on
            else None,
        },
    )
    emails.billing_email_after_commit(
        subscription=subscription, template=emails.PAYMENT_FAILED, invoice=invoice
    )


def subscriptions_reactivate_paid(*, invoice_ids: Sequence[int | None], now: dt.datetime) -> int:
    """Invoices just paid: each suspended contract none of whose suspending invoices is
    still unpaid is active again (with its pass); how many. Call it in the scope of the
    invoices' institution, once the payments are recorded (one query when none of them
    had suspended anything, as in every ordinary run)."""
    contracts = (
        Subscription.objects.filter(
            pk__in=Invoice.objects.filter(
                pk__in=invoice_ids, status=Invoice.Status.PAID, suspended_at__isnull=False
            ).values("subscription_id"),
            status=Subscription.Status.SUSPENDED,
        )
        .select_related("organization")
        .order_by("pk")
    )
    reactivated = 0
    for contract in contracts:
        still_unpaid = (
            Invoice.objects.filter(subscription=contract, suspended_at__isnull=False)
            .exclude(status__in=_SETTLED)
            .exists()
        )
        if not still_unpaid and subscription_reactivate(
            subscription=contract, actor=None, reason="paid", now=now
        ):
            reactivated += 1
    return reactivated
