"""Billing tasks: the first charge after approval, and the daily run (enqueued by the scheduler)."""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.core.clock import local_today, now
from parcauto.subscriptions.models import Subscription

from .models import Invoice
from .services.collect import invoice_collect
from .services.invoices import invoice_first_create
from .services.run import billing_run


@task()
def collect_first_invoice(*, organization_id: int, subscription_id: int) -> str:
    """Invoice and charge a contract's first period once it is approved (idempotent).

    Run again, it finds the same invoice; a paid one is not charged again, and an
    attempt still in flight is settled with its own order id.
    """
    moment = now()
    with scope(organization=organization_id):
        subscription = Subscription.objects.select_related("organization").get(pk=subscription_id)
        invoice = invoice_first_create(subscription=subscription, now=moment)
        if invoice is None:
            return "nothing to invoice"
        attempt = invoice_collect(invoice=invoice, now=moment)
    return f"invoice {invoice.number}: {attempt.status if attempt else invoice.status}"


@task()
def collect_overdue_invoices(*, organization_id: int, subscription_id: int) -> int:
    """A new card for a contract with unpaid charges: charge them now rather than at a
    retry date that may never come (the retries of a suspended contract are used up).
    Paid, the contract is active again. Returns how many were charged successfully."""
    moment = now()
    paid = 0
    with scope(organization=organization_id):
        overdue = Invoice.objects.filter(
            subscription_id=subscription_id, status=Invoice.Status.FAILED
        ).order_by("due_date", "pk")
        for invoice in overdue:
            invoice_collect(invoice=invoice, now=moment)
            paid += invoice.status == Invoice.Status.PAID
    return paid


@task()
def run_billing() -> int:
    """The daily billing run for today; returns the BillingRun id."""
    moment = now()
    return billing_run(run_date=local_today(moment), now=moment).pk
