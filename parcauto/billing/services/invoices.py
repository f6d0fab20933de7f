"""Invoices: the first one of a contract at approval, then one a month from the daily run.

- The first invoice covers the first period: for a monthly contract, from its start
  (the approval day when the contract starts on approval, never a day before it was
  approved) to the end of that month, prorated by the day (rule 14); per-term and
  one-time contracts are billed their price for their dates. It is due at approval:
  the person is charged once the contract is approved (rule 8), never before.
- Every later period of a monthly contract is a calendar month, due on the 1st.

The unique (contract, kind, period start) constraint makes a second invoice for the
same period impossible: the run inserts with ON CONFLICT DO NOTHING, so running it
twice creates nothing the second time. Numbers come from one counter, a batch at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from parcauto.core.clock import local_today
from parcauto.core.money import TaxSplit
from parcauto.core.sequences import sequence_next, sequence_reserve
from parcauto.subscriptions.models import Subscription

from ..bulk import rows_insert
from ..models import Invoice
from ..periods import MONTHLY
from ..proration import Period, first_period, month_end, month_start, prorate
from ..taxes import tax_split_on
from ..terms import BILLED_STATUSES, ContractTerms

INVOICE_SEQUENCE = "invoice_number"
FIRST_INVOICE_NUMBER = 1_000_001


class _Taxes:
    """Tax splits of one run: a few prices on one day, computed once each."""

    def __init__(self) -> None:
        self._known: dict[tuple[Decimal, dt.date, bool], TaxSplit] = {}

    def split(self, amount: Decimal, day: dt.date, taxable: bool) -> TaxSplit:
        key = (amount, day, taxable)
        split = self._known.get(key)
        if split is None:
            split = self._known[key] = tax_split_on(amount=amount, day=day, taxable=taxable)
        return split


# The columns `_invoice_row` fills, in its order.
INVOICE_FIELDS = (
    "organization_id",
    "number",
    "subscription_id",
    "kind",
    "period_start",
    "period_end",
    "due_date",
    "payment_method",
    "amount",
    "pre_tax",
    "gst",
    "qst",
    "status",
)


def _invoice_row(
    *,
    terms: ContractTerms,
    number: int,
    period: Period,
    amount: Decimal,
    due_date: dt.date,
    run_date: dt.date,
    taxes: _Taxes,
) -> tuple[object, ...]:
    split = taxes.split(amount, period.start, terms.taxable)
    status = Invoice.Status.DUE if due_date <= run_date else Invoice.Status.SCHEDULED
    return (
        terms.organization_id,
        number,
        terms.id,
        Invoice.Kind.CHARGE.value,
        period.start,
        period.end,
        due_date,
        terms.payment_method,
        amount,
        split.pre_tax,
        split.gst,
        split.qst,
        status.value,
    )


def first_charge(subscription: Subscription, *, today: dt.date) -> tuple[Period, Decimal] | None:
    """The first period of a contract approved on `today` and its price; None if nothing."""
    if subscription.billing_frequency == MONTHLY:
        start = max(subscription.start_date, today)
        if subscription.end_date is not None and subscription.end_date < start:
            return None
        period = first_period(start, subscription.end_date)
        amount = prorate(monthly_price=subscription.price, start=period.start, end=period.end)
    else:
        end = subscription.end_date or subscription.start_date
        period = Period(subscription.start_date, end)
        amount = subscription.price
    return (period, amount) if amount > 0 else None


def invoice_first_create(*, subscription: Subscription, now: dt.datetime) -> Invoice | None:
    """The contract's first invoice, created once: a second call returns the same one.

    None while the contract is not approved, or when its first period costs nothing.
    """
    with transaction.atomic():
        existing = (
            Invoice.objects.filter(
                organization=subscription.organization,
                subscription=subscription,
                kind=Invoice.Kind.CHARGE,
            )
            .order_by("period_start")
            .first()
        )
        if existing is not None:
            return existing
        if subscription.status not in BILLED_STATUSES:
            return None
        today = local_today(now)
        charge = first_charge(subscription, today=today)
        if charge is None:
            return None
        period, amount = charge
        row = _invoice_row(
            terms=ContractTerms(
                id=subscription.pk,
                organization_id=subscription.organization_id,
                start_date=subscription.start_date,
                end_date=subscription.end_date,
                price=subscription.price,
                taxable=subscription.taxable,
                payment_method=subscription.payment_method,
            ),
            number=sequence_next(name=INVOICE_SEQUENCE, start=FIRST_INVOICE_NUMBER),
            period=period,
            amount=amount,
            due_date=today,
            run_date=today,
            taxes=_Taxes(),
        )
        invoice = Invoice(**dict(zip(INVOICE_FIELDS, row, strict=True)))
        invoice.save()
    return invoice


def invoices_create_due(
    *, run_date: dt.date, contracts: Sequence[ContractTerms], now: dt.datetime
) -> int:
    """The month's invoice of each monthly contract of `contracts` that lacks it; how many.

    `contracts` are monthly contracts that started before the month of `run_date` (a
    later start is billed by its first invoice) and have not ended before it: one chunk
    of the run's stream (`selectors.contracts_to_invoice`).
    """
    first_day = month_start(run_date)
    already = set(
        Invoice.objects.filter(
            subscription_id__in=[terms.id for terms in contracts],
            kind=Invoice.Kind.CHARGE,
            period_start=first_day,
        ).values_list("subscription_id", flat=True)
    )
    missing = [terms for terms in contracts if terms.id not in already]
    if not missing:
        return 0
    taxes = _Taxes()
    last_day = month_end(first_day)
    with transaction.atomic():
        numbers = sequence_reserve(
            name=INVOICE_SEQUENCE, count=len(missing), start=FIRST_INVOICE_NUMBER
        )
        rows = []
        for terms, number in zip(missing, numbers, strict=True):
            end = last_day if terms.end_date is None else min(terms.end_date, last_day)
            amount = prorate(monthly_price=terms.price, start=first_day, end=end)
            if amount <= 0:
                continue
            row = _invoice_row(
                terms=terms,
                number=number,
                period=Period(first_day, end),
                amount=amount,
                due_date=first_day,
                run_date=run_date,
                taxes=taxes,
            )
            rows.append((now, now, *row))
        # A concurrent run may have inserted some of them since the read above: those
        # are skipped by the unique constraint (their reserved numbers stay unused, and
        # the count returned is then an upper bound).
        rows_insert(
            Invoice, ("created_at", "updated_at", *INVOICE_FIELDS), rows, ignore_conflicts=True
        )
    return len(rows)
