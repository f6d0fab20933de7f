"""Payroll deductions: one file per employer and pay period, counted paid once it ends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.models import CollectionFile, PaymentAttempt, PayrollEmployer
from parcauto.payments.payroll_files import PAY_PERIOD_DAYS, PayrollLine, pay_period, payroll_csv
from parcauto.tenants.models import Organization

from ..taxes import tax_split_on
from .collect_files import (
    CollectionItem,
    attempts_settle,
    collection_file_save,
    collection_items,
    current_methods,
    due_invoices,
)


def _payroll_line(item: CollectionItem) -> PayrollLine:
    invoice, subscription = item.invoice, item.invoice.subscription
    if item.amount == invoice.amount:
        gst, qst = invoice.gst, invoice.qst
    elif invoice.gst or invoice.qst:  # partly paid: the taxes of what is left
        gst, qst = tax_split_on(amount=item.amount, day=invoice.period_start, taxable=True)[1:]
    else:
        gst = qst = Decimal("0.00")
    profile = getattr(subscription.person, "profile", None)
    return PayrollLine(
        employee_number=item.method.employee_number,
        name=profile.full_name if profile is not None else subscription.person.email,
        contract_number=subscription.contract_number,
        amount=item.amount,
        gst=gst,
        qst=qst,
    )


def payroll_collect(
    *, organization: Organization, run_date: dt.date, now: dt.datetime
) -> CollectionFile | None:
    """The employer's deduction file for the pay period holding `run_date`
    (`payments.payroll_files.payroll_csv`). It holds every DUE payroll invoice due by the period's
    last day with a current authorization. None when nothing was created: no employer
    settings, nothing to deduct, or the period already has its file.
    """
    with transaction.atomic():
        employer = (
            PayrollEmployer.objects.select_for_update().filter(organization=organization).first()
        )
        if employer is None:
            return None
        start, end = pay_period(anchor=employer.period_anchor, day=run_date)
        if CollectionFile.objects.filter(
            organization=organization, kind=CollectionFile.Kind.PAYROLL, collection_date=start
        ).exists():
            return None
        invoices = list(
            due_invoices(
                organization,
                method=PaymentMethodKind.PAYROLL,
                attempt_kind=PaymentAttempt.Kind.PAYROLL,
                until=end,
            )
        )
        methods = current_methods(invoices, PaymentMethodKind.PAYROLL)
        items = list(collection_items(invoices, methods, "PAY"))
        if not items:
            return None
        return collection_file_save(
            organization=organization,
            kind=CollectionFile.Kind.PAYROLL,
            collection_date=start,
            file_number=None,
            filename=f"paie-{employer.employer_code}-{start:%Y%m%d}.csv",
            content=payroll_csv((_payroll_line(item) for item in items), start=start, end=end),
            items=items,
            attempt_kind=PaymentAttempt.Kind.PAYROLL,
        )


def payroll_settle_sent(*, organization: Organization, as_of: dt.date, now: dt.datetime) -> int:
    """Count as paid the deductions of every pay period that ended before `as_of`."""
    with transaction.atomic():
        return attempts_settle(
            PaymentAttempt.objects.filter(
                organization=organization,
                kind=PaymentAttempt.Kind.PAYROLL,
                status=PaymentAttempt.Status.SENT,
                collection_file__collection_date__lt=as_of - dt.timedelta(days=PAY_PERIOD_DAYS - 1),
            ),
            now=now,
        )
