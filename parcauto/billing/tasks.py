"""Billing tasks: the first charge after approval, and the daily run (enqueued by the scheduler)."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django_scopes import scope

from parcauto.core.clock import local_today, now
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization

from .models import BillingRun, Invoice
from .services.collect import invoice_collect
from .services.invoices import invoice_first_create
from .services.run import billing_run_open, billing_run_part


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
    """The daily billing run for today: one task per institution, which the task workers
    share (queued with the run, in its transaction); returns the BillingRun id. While a
    run of today is still going (this task run again, or one started by hand), it is
    that run's id, and nothing new is queued."""
    moment = now()
    today = local_today(moment)
    # Run again after its worker died past the commit below: the run it opened goes on.
    going = BillingRun.objects.filter(run_date=today, status=BillingRun.Status.RUNNING).first()
    if going is not None:
        return going.pk
    with transaction.atomic():
        run = billing_run_open(run_date=today, now=moment)
        parts = list(run.parts.values_list("organization_id", flat=True))
        for organization_id in parts:
            enqueue_with_transaction(
                run_billing_institution, run_id=run.pk, organization_id=organization_id
            )
    if not parts:  # no institution: nothing to wait for
        BillingRun.objects.filter(pk=run.pk).update(
            status=BillingRun.Status.FINISHED, finished_at=moment
        )
    return run.pk


@task()
def run_billing_institution(*, run_id: int, organization_id: int) -> str:
    """One institution's part of a run; the run is finished with its last part. Run
    again (its worker died), it settles what was in flight and skips what was done."""
    run = BillingRun.objects.get(pk=run_id)
    organization = Organization.objects.get(pk=organization_id)
    done = billing_run_part(run=run, organization=organization, now=now())
    return f"{organization.slug}: {'done' if done else 'already done'}"
