"""The billing run's last steps for one institution, after the charges: late interest,
overdue contracts, the collection files (steps 4-6 of `billing.services.run`), and the
run's counters, which parts running at once add to in the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Sum

from parcauto.core.money import to_cents
from parcauto.core.sequences import sequence_reserve
from parcauto.payments.models import PaymentAttempt
from parcauto.tenants.models import Organization

from ..models import BillingRun, Invoice
from ..selectors import billing_policy_for
from . import nonpayment
from .collect_pad import pad_collect
from .collect_payroll import payroll_collect
from .invoices import BILLED_STATUSES, FIRST_INVOICE_NUMBER, INVOICE_SEQUENCE, month_start


def counts_add(run: BillingRun, **counts: int) -> None:
    """Add to the run's counters in the database (parts of a run run at once)."""
    counts = {name: value for name, value in counts.items() if value}
    if counts:
        BillingRun.objects.filter(pk=run.pk).update(
            **{name: F(name) + value for name, value in counts.items()}
        )


def in_flight() -> Exists:
    """An attempt of the invoice awaits its answer: a debit in a file the bank may still
    return, a deduction of a pay period not over, a charge without an answer. The invoice
    is not late while it waits (a returned debit's retry, for instance)."""
    return Exists(
        PaymentAttempt.objects.filter(invoice_id=OuterRef("pk"), status=PaymentAttempt.Status.SENT)
    )


# --- 4. interest ------------------------------------------------------------------------


def interest_step(run: BillingRun, organization: Organization, *, run_date: dt.date) -> None:
    """Late interest on what has been overdue for the whole past month, once a month."""
    first_day = month_start(run_date)
    previous_month = month_start(first_day - dt.timedelta(days=1))
    overdue = (
        Invoice.objects.filter(
            organization=organization,
            status=Invoice.Status.FAILED,
            kind=Invoice.Kind.CHARGE,
            due_date__lte=previous_month,
        )
        .exclude(
            Exists(
                Invoice.objects.filter(
                    subscription_id=OuterRef("subscription_id"),
                    kind=Invoice.Kind.INTEREST,
                    period_start=first_day,
                )
            )
        )
        .exclude(in_flight())
        .values("subscription_id", "subscription__payment_method")
        .annotate(unpaid=Sum(F("amount") - F("amount_paid")))
        .order_by("subscription_id")
    )
    rate: Decimal | None = None
    invoices = []
    for row in overdue:
        if rate is None:
            rate = billing_policy_for(organization).late_interest_monthly_rate
        amount = to_cents(row["unpaid"] * rate / 100)
        if amount <= 0:
            continue
        invoices.append(
            Invoice(
                organization=organization,
                subscription_id=row["subscription_id"],
                kind=Invoice.Kind.INTEREST,
                period_start=first_day,
                due_date=run_date,
                payment_method=row["subscription__payment_method"],
                amount=amount,
                pre_tax=amount,  # interest is a financial charge: no GST or QST
                gst=Decimal("0.00"),
                qst=Decimal("0.00"),
                status=Invoice.Status.DUE,
            )
        )
    if not invoices:
        return
    with transaction.atomic():
        numbers = sequence_reserve(
            name=INVOICE_SEQUENCE, count=len(invoices), start=FIRST_INVOICE_NUMBER
        )
        for invoice, number in zip(invoices, numbers, strict=True):
            invoice.number = number
        Invoice.objects.bulk_create(invoices, ignore_conflicts=True)
    counts_add(run, interest_invoices=len(invoices))


# --- 5. overdue -------------------------------------------------------------------------


def overdue_step(
    run: BillingRun, organization: Organization, *, run_date: dt.date, now: dt.datetime
) -> None:
    """Suspend, then cancel, contracts with a charge unpaid past the policy's delays."""
    unpaid = (
        Invoice.objects.filter(
            organization=organization,
            status=Invoice.Status.FAILED,
            subscription__status__in=BILLED_STATUSES,
        )
        .exclude(in_flight())
        .select_related("subscription")
    )
    if not unpaid.exists():
        return
    policy = billing_policy_for(organization)
    suspend_before = run_date - dt.timedelta(days=policy.suspend_after_days)
    cancel_before = run_date - dt.timedelta(days=policy.cancel_after_days)
    ended: set[int] = set()
    suspended = cancelled = 0
    for invoice in unpaid.filter(due_date__lte=cancel_before).order_by("id"):
        if invoice.subscription_id in ended:
            continue  # its oldest unpaid invoice already ended it
        nonpayment.subscription_cancel_for_nonpayment(
            subscription=invoice.subscription, invoice=invoice, now=now
        )
        ended.add(invoice.subscription_id)
        cancelled += 1
    for invoice in unpaid.filter(due_date__lte=suspend_before, suspended_at__isnull=True):
        if nonpayment.subscription_suspend_for_nonpayment(
            subscription=invoice.subscription, invoice=invoice, now=now
        ):
            suspended += 1
    counts_add(run, suspended=suspended, cancelled=cancelled)


# --- 6. files ---------------------------------------------------------------------------


def files_step(
    run: BillingRun, organization: Organization, *, run_date: dt.date, now: dt.datetime
) -> None:
    if not organization.is_active:
        return  # an institution that left makes no new files
    files = [
        pad_collect(organization=organization, collection_date=run_date, now=now),
        payroll_collect(organization=organization, run_date=run_date, now=now),
    ]
    counts_add(run, files_created=sum(f is not None for f in files))
