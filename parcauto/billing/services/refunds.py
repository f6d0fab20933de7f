"""Money given back: with a reason, never more than was paid, card refunds exactly once.

A card refund is a PaymentAttempt (kind REFUND, order id `ref-<invoice>-<n>`) committed
before the gateway is called, like a charge. Money paid by pre-authorized debit or
payroll deduction is given back outside the gateway: the refund stays PENDING, a credit
on the contract's balance, until staff pay it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.money import to_cents
from parcauto.payments.gateways import get_gateway
from parcauto.payments.gateways.base import ChargeResult, Gateway, GatewayError
from parcauto.payments.models import PaymentAttempt
from parcauto.subscriptions.models import Subscription

from ..errors import RefundNotAllowed, RefundTooLarge
from ..models import Invoice, Refund
from ..proration import Period, refund_for_unused
from ..selectors import billing_policy_for


def refundable(invoice: Invoice) -> Decimal:
    """What may still be given back on `invoice`: paid, less refunds not failed."""
    refunded = invoice.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))
    return invoice.amount_paid - (refunded["total"] or Decimal("0.00"))


def refund_create(
    *,
    invoice: Invoice,
    amount: Decimal,
    reason: str,
    actor: User | None,
    now: dt.datetime,
    gateway: Gateway | None = None,
) -> Refund:
    reason = reason.strip()
    if not reason:
        raise RefundNotAllowed(_("Give the reason for the refund."), code="refund_without_reason")
    if not isinstance(amount, Decimal) or amount <= 0 or amount != to_cents(amount):
        raise RefundNotAllowed(
            _("Enter a positive amount in dollars and cents."), code="bad_amount"
        )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if amount > refundable(locked):
            raise RefundTooLarge
        charge = (
            _approved_charge(locked) if locked.payment_method == PaymentMethodKind.CARD else None
        )
        attempt = None
        if charge is not None:
            count = locked.attempts.filter(kind=PaymentAttempt.Kind.REFUND).count()
            attempt = PaymentAttempt.objects.create(
                organization_id=locked.organization_id,
                order_id=f"ref-{locked.number}-{count + 1}",
                kind=PaymentAttempt.Kind.REFUND,
                invoice=locked,
                payment_method_id=charge.payment_method_id,
                amount=amount,
            )
        refund = Refund.objects.create(
            organization_id=locked.organization_id,
            invoice=locked,
            amount=amount,
            reason=reason,
            created_by=actor,
            attempt=attempt,
        )
        audit_log(
            action="invoice.refund_created",
            actor=actor,
            organization=locked.organization,
            target=locked,
            data={"refund": refund.pk, "amount": str(amount), "reason": reason},
        )
    if attempt is None:
        return refund  # paid by debit or payroll: given back outside the gateway
    return refund_send(refund=refund, now=now, gateway=gateway, ask_first=False)


def _approved_charge(invoice: Invoice) -> PaymentAttempt | None:
    return (
        invoice.attempts.filter(
            kind=PaymentAttempt.Kind.PURCHASE, status=PaymentAttempt.Status.APPROVED
        )
        .order_by("-id")
        .first()
    )


def refund_send(
    *, refund: Refund, now: dt.datetime, gateway: Gateway | None = None, ask_first: bool = True
) -> Refund:
    """Give back a card refund whose attempt is SENT, once (also after a crash or timeout).

    With `ask_first`, the gateway is first asked what became of the order id; only one
    it never had is sent (again, with the same id).
    """
    attempt = refund.attempt
    charge = _approved_charge(refund.invoice)
    if attempt is None or charge is None or attempt.status != PaymentAttempt.Status.SENT:
        return refund
    gateway = gateway or get_gateway()
    original = ChargeResult(
        order_id=charge.order_id,
        approved=True,
        response_code=charge.response_code,
        message=charge.message,
        reference=charge.reference,
        auth_code=charge.auth_code,
    )
    try:
        result = gateway.status(order_id=attempt.order_id) if ask_first else None
        if result is None:
            result = gateway.refund(
                order_id=attempt.order_id, original=original, amount=refund.amount
            )
    except GatewayError:
        return refund  # stays PENDING with its attempt SENT: the daily run asks again
    with transaction.atomic():
        if not PaymentAttempt.objects.filter(
            pk=attempt.pk, status=PaymentAttempt.Status.SENT
        ).update(
            status=PaymentAttempt.Status.APPROVED
            if result.approved
            else PaymentAttempt.Status.DECLINED,
            response_code=result.response_code[:10],
            message=result.message[:200],
            reference=result.reference[:50],
            settled_at=result.processed_at or now,
        ):
            refund.refresh_from_db()
            return refund  # settled by another process meanwhile
        refund.status = Refund.Status.REFUNDED if result.approved else Refund.Status.FAILED
        refund.save(update_fields=["status", "updated_at"])
        audit_log(
            action="invoice.refunded" if result.approved else "invoice.refund_failed",
            actor=refund.created_by,
            organization=refund.invoice.organization,
            target=refund.invoice,
            data={"refund": refund.pk, "order_id": attempt.order_id},
        )
    return refund


def refunds_for_early_end(
    *, subscription: Subscription, stop_date: dt.date, actor: User | None, now: dt.datetime
) -> list[Refund]:
    """The unused days of paid periods after `stop_date`, when the institution refunds them."""
    if not billing_policy_for(subscription.organization).refunds_unused_days:
        return []
    paid = list(
        Invoice.objects.filter(
            organization=subscription.organization,
            subscription=subscription,
            kind=Invoice.Kind.CHARGE,
            status=Invoice.Status.PAID,
        ).order_by("period_start")
    )
    refunds = []
    for invoice in paid:
        end = invoice.period_end or invoice.period_start
        if end <= stop_date:
            continue
        worth = refund_for_unused(
            paid=invoice.amount_paid, period=Period(invoice.period_start, end), stop=stop_date
        )
        amount = min(worth, refundable(invoice))
        if amount > 0:
            refunds.append(
                refund_create(
                    invoice=invoice,
                    amount=amount,
                    reason=_("Contract ended early on %(date)s: unused days.")
                    % {"date": stop_date.isoformat()},
                    actor=actor,
                    now=now,
                )
            )
    return refunds
