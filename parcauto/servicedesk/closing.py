"""Settling a contract once it has ended (after `services.contract_end.contracts_end_due`).

In this order, outside any transaction (the gateway is never called inside one):

1. the last period to the day: the month of the last day is invoiced if the billing run
   has not done it yet (`billing.services.invoices.invoices_create_due`, prorated to the
   end date), and a card is charged for it at once, before the card leaves the vault;
2. the unused days of periods paid beyond the last day are credited as the institution's
   billing policy says (`billing.services.refunds.refunds_for_early_end`: a card refund
   through the gateway, a pending credit for debit and payroll);
3. the means of payment ends: the card leaves the vault (`payments.tasks.forget_card`,
   tried again on its own if the gateway is down), a pre-authorized debit or a payroll
   authorization is revoked so no later file takes it (the bank details stay, as the
   90-day reimbursement claims need them, rule 31);
4. the person gets the final account by e-mail.

Step 2 moves money: the cancellation request's `contract_closed_at` is claimed first by
a conditional UPDATE, so a task run twice settles once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.tasks import task
from django_scopes import scope

from parcauto.billing.models import Invoice, Refund
from parcauto.billing.periods import MONTHLY
from parcauto.billing.proration import month_start
from parcauto.billing.selectors import balance_for
from parcauto.billing.services.collect import invoice_collect
from parcauto.billing.services.invoices import invoices_create_due
from parcauto.billing.services.refunds import refunds_for_early_end
from parcauto.billing.terms import ContractTerms
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import now as clock_now
from parcauto.notifications.services import email_send_template
from parcauto.payments.selectors import payment_method_current
from parcauto.payments.services.pad import method_revoke
from parcauto.payments.tasks import forget_card
from parcauto.subscriptions.models import Subscription

from . import emails
from .models import ServiceRequest


def _final_invoice(contract: Subscription, last_day: dt.date, now: dt.datetime) -> Invoice | None:
    """The invoice of the period holding the last day, made now if the run has not."""
    if contract.billing_frequency == MONTHLY and contract.start_date < month_start(last_day):
        terms = ContractTerms(
            id=contract.pk,
            organization_id=contract.organization_id,
            start_date=contract.start_date,
            end_date=last_day,
            price=contract.price,
            taxable=contract.taxable,
            payment_method=contract.payment_method,
        )
        invoices_create_due(run_date=last_day, contracts=[terms], now=now)
    return (
        Invoice.objects.filter(
            organization_id=contract.organization_id,
            subscription=contract,
            kind=Invoice.Kind.CHARGE,
            period_start__lte=last_day,
        )
        .filter(Q(period_end__gte=last_day) | Q(period_end__isnull=True))
        .order_by("-period_start")
        .first()
    )


def _payment_method_end(contract: Subscription, now: dt.datetime) -> str:
    method = payment_method_current(subscription_id=contract.pk)
    if method is None:
        return ""
    if method.kind == PaymentMethodKind.CARD:
        forget_card.enqueue(organization_id=contract.organization_id, payment_method_id=method.pk)
    else:
        method_revoke(method, actor=None, now=now)
    return str(method.kind)


def contract_close(*, contract: Subscription, now: dt.datetime) -> bool:
    """Settle an ENDED contract once (see the module); False when already done or not due."""
    if contract.status != Subscription.Status.ENDED or contract.end_date is None:
        return False
    claimed = ServiceRequest.objects.filter(
        organization_id=contract.organization_id,
        subscription=contract,
        kind=ServiceRequest.Kind.CANCELLATION,
        outcome=ServiceRequest.Outcome.CONFIRMED,
        contract_closed_at__isnull=True,
    ).update(contract_closed_at=now)
    if not claimed:
        return False
    last_day = contract.end_date
    final = _final_invoice(contract, last_day, now)
    if final is not None and final.status in (Invoice.Status.DUE, Invoice.Status.FAILED):
        invoice_collect(invoice=final, now=now)  # nothing for debit and payroll: their files
        final.refresh_from_db()
    refunds = refunds_for_early_end(subscription=contract, stop_date=last_day, actor=None, now=now)
    method = _payment_method_end(contract, now)
    email_send_template(
        template=emails.CONTRACT_ENDED,
        to=contract.person.email,
        context={
            "subscription": contract,
            "person": contract.person,
            "final_invoice": final,
            "credit": sum((refund.amount for refund in refunds), Decimal("0.00")),
            "refunds": [r for r in refunds if r.status != Refund.Status.FAILED],
            "balance": balance_for(subscription=contract),
            "method": method,
        },
        language=contract.person.language,
        organization=contract.organization,
        dedupe_key=f"{emails.CONTRACT_ENDED}:{contract.pk}",
    )
    return True


@task()
def close_contract(*, organization_id: int, subscription_id: int) -> bool:
    with scope(organization=organization_id):
        contract = (
            Subscription.objects.select_related("organization", "person", "product")
            .filter(pk=subscription_id)
            .first()
        )
        if contract is None:
            return False
        return contract_close(contract=contract, now=clock_now())
