"""Reads of billing: terms, the run's streams, a contract's balance and calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization

from .models import BillingPolicy, Invoice, Refund
from .periods import MONTHLY, collection_calendar
from .proration import month_start
from .taxes import tax_split_on
from .terms import BILLED_STATUSES, ContractTerms

_ZERO = Decimal("0.00")
UNPAID_STATUSES = (Invoice.Status.DUE, Invoice.Status.FAILED)


def billing_policy_for(organization: Organization) -> BillingPolicy:
    """The institution's collection terms; the defaults (unsaved) when it has set none."""
    policy = BillingPolicy.objects.filter(organization=organization).first()
    return policy if policy is not None else BillingPolicy(organization=organization)


def retry_delays(policy: BillingPolicy) -> list[int]:
    """The policy's retry delays in days ("3,7" -> [3, 7]); blanks ignored."""
    return [int(part) for part in policy.retry_after_days.split(",") if part.strip()]


def contracts_to_invoice(
    *, organization: Organization, run_date: dt.date, chunk_size: int
) -> Iterator[list[ContractTerms]]:
    """The institution's monthly contracts to bill for the month of `run_date`, in chunks.

    Keyset pagination on the id: one bounded query per chunk, never the whole table in
    memory, and a contract added during the run is either in a later chunk or not at all.
    """
    first_day = month_start(run_date)
    fields = ("id", "organization_id", "start_date", "end_date", "price", "taxable")
    last_id = 0
    contracts = Subscription.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first_day),
        organization=organization,
        status__in=BILLED_STATUSES,
        billing_frequency=MONTHLY,
        start_date__lt=first_day,
    ).order_by("id")
    while True:
        rows = list(
            contracts.filter(id__gt=last_id).values_list(*fields, "payment_method")[:chunk_size]
        )
        if not rows:
            return
        last_id = rows[-1][0]
        yield [ContractTerms(*row) for row in rows]


def balance_for(*, subscription: Subscription) -> Decimal:
    """The "Solde": what is due or failed and not paid, less refunds owed back (credits)."""
    owed = Invoice.objects.filter(
        organization=subscription.organization,
        subscription=subscription,
        status__in=UNPAID_STATUSES,
    ).aggregate(total=Sum("amount") - Sum("amount_paid"))["total"]
    credits = Refund.objects.filter(
        organization=subscription.organization,
        invoice__subscription=subscription,
        status=Refund.Status.PENDING,
    ).aggregate(total=Sum("amount"))["total"]
    return (owed or _ZERO) - (credits or _ZERO)


@dataclass(frozen=True)
class CalendarLine:
    """One line of the "CALENDRIER DE PERCEPTION": an invoice, or a charge to come."""

    due_on: dt.date
    period_start: dt.date
    period_end: dt.date | None
    amount: Decimal
    pre_tax: Decimal
    gst: Decimal
    qst: Decimal
    # An Invoice.Status value, or "scheduled" for a charge not invoiced yet.
    status: str
    kind: str = Invoice.Kind.CHARGE
    invoice_number: int | None = None
    amount_paid: Decimal = _ZERO


def collection_calendar_for(*, subscription: Subscription, horizon: dt.date) -> list[CalendarLine]:
    """A contract's invoices (with their status) then its charges to come until `horizon`."""
    invoices = list(
        Invoice.objects.filter(
            organization=subscription.organization, subscription=subscription
        ).order_by("due_date", "period_start", "id")
    )
    lines = [
        CalendarLine(
            due_on=invoice.due_date,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            amount=invoice.amount,
            pre_tax=invoice.pre_tax,
            gst=invoice.gst,
            qst=invoice.qst,
            status=invoice.status,
            kind=invoice.kind,
            invoice_number=invoice.number,
            amount_paid=invoice.amount_paid,
        )
        for invoice in invoices
    ]
    if subscription.status not in (*BILLED_STATUSES, Subscription.Status.SUBMITTED):
        return lines  # ended, refused or cancelled: nothing more will be charged
    invoiced = [i.period_start for i in invoices if i.kind == Invoice.Kind.CHARGE]
    last_invoiced = max(invoiced, default=None)
    for charge in collection_calendar(subscription, horizon=horizon):
        start = charge.period.start if charge.period is not None else charge.due_on
        if last_invoiced is not None and start <= last_invoiced:
            continue
        split = tax_split_on(amount=charge.amount, day=start, taxable=subscription.taxable)
        lines.append(
            CalendarLine(
                due_on=charge.due_on,
                period_start=start,
                period_end=charge.period.end if charge.period is not None else None,
                amount=charge.amount,
                pre_tax=split.pre_tax,
                gst=split.gst,
                qst=split.qst,
                status=Invoice.Status.SCHEDULED,
            )
        )
    return lines
