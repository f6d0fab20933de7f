"""What the PAD and the payroll collections share: the invoices due, the file and its attempts.

Each file is made in one transaction with its PaymentAttempt rows (SENT, their
`order_id` is the file's cross-reference), so a crash leaves either the whole file or
nothing, and a second call for the same date or period makes nothing (the collectors
return None: they return only what they created).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from parcauto.audit.services import audit_log
from parcauto.payments.models import CollectionFile, PaymentAttempt, PaymentMethod
from parcauto.tenants.models import Organization

from ..models import Invoice
from ..terms import BILLED_STATUSES
from . import nonpayment

_IN_FLIGHT_OR_PAID = (PaymentAttempt.Status.SENT, PaymentAttempt.Status.APPROVED)


def _collected_or_in_flight(kind: str) -> Exists:
    """An attempt of `kind` on the invoice is out or paid (a returned one may go again)."""
    return Exists(
        PaymentAttempt.objects.filter(
            invoice=OuterRef("pk"), kind=kind, status__in=_IN_FLIGHT_OR_PAID
        )
    )


def due_invoices(
    organization: Organization, *, method: str, attempt_kind: str, until: dt.date
) -> QuerySet[Invoice]:
    """Invoices due by `until`, and failed ones (a returned debit) whose retry date has
    come while their contract is still billed (as card retries: an ended contract's
    debt is followed up by the service centre, not debited again)."""
    return (
        Invoice.objects.filter(
            Q(status=Invoice.Status.DUE, due_date__lte=until)
            | Q(
                status=Invoice.Status.FAILED,
                next_attempt_on__lte=until,
                subscription__status__in=BILLED_STATUSES,
            ),
            organization=organization,
            payment_method=method,
        )
        .exclude(_collected_or_in_flight(attempt_kind))
        .annotate(earlier=Count("attempts", filter=Q(attempts__kind=attempt_kind)))
        .select_related("subscription", "subscription__person__profile")
        .order_by("due_date", "number")
    )


def current_methods(invoices: list[Invoice], kind: str) -> dict[int, PaymentMethod]:
    methods = PaymentMethod.objects.filter(
        subscription_id__in={invoice.subscription_id for invoice in invoices},
        kind=kind,
        status=PaymentMethod.Status.ACTIVE,
    )
    return {method.subscription_id: method for method in methods}


def outstanding(invoice: Invoice) -> Decimal:
    return invoice.amount - invoice.amount_paid


@dataclass(frozen=True)
class CollectionItem:
    invoice: Invoice
    method: PaymentMethod
    amount: Decimal
    order_id: str


def collection_items(
    invoices: Iterable[Invoice], methods: dict[int, PaymentMethod], prefix: str
) -> Iterator[CollectionItem]:
    for invoice in invoices:
        method = methods.get(invoice.subscription_id)
        amount = outstanding(invoice)
        if method is not None and amount > 0:
            number = invoice.earlier + 1  # type: ignore[attr-defined]
            yield CollectionItem(invoice, method, amount, f"{prefix}{invoice.number}-{number}")


def collection_file_save(
    *,
    organization: Organization,
    kind: str,
    collection_date: dt.date,
    file_number: int | None,
    filename: str,
    content: bytes,
    items: list[CollectionItem],
    attempt_kind: str,
) -> CollectionFile:
    collection = CollectionFile(
        organization=organization,
        kind=kind,
        collection_date=collection_date,
        file_number=file_number,
        record_count=len(items),
        total_amount=sum((item.amount for item in items), Decimal("0.00")),
    )
    collection.file.save(filename, ContentFile(content), save=False)
    collection.save()
    PaymentAttempt.objects.bulk_create(
        PaymentAttempt(
            organization=organization,
            order_id=item.order_id,
            kind=attempt_kind,
            invoice=item.invoice,
            payment_method=item.method,
            amount=item.amount,
            status=PaymentAttempt.Status.SENT,
            collection_file=collection,
        )
        for item in items
    )
    audit_log(
        action=f"payments.{kind}_file_created",
        actor=None,
        organization=organization,
        target=collection,
        data={
            "collection_date": collection_date.isoformat(),
            "file_number": file_number,
            "transactions": len(items),
            "total": str(collection.total_amount),
        },
    )
    return collection


def attempts_settle(attempts: QuerySet[PaymentAttempt], *, now: dt.datetime) -> int:
    settled = 0
    paid: list[int] = []
    for attempt in attempts.select_for_update():
        attempt.status = PaymentAttempt.Status.APPROVED
        attempt.settled_at = now
        attempt.save(update_fields=["status", "settled_at", "updated_at"])
        invoice = Invoice.objects.select_for_update().get(pk=attempt.invoice_id)
        invoice.amount_paid = min(invoice.amount, invoice.amount_paid + attempt.amount)
        if invoice.amount_paid == invoice.amount:
            invoice.status = Invoice.Status.PAID
            invoice.paid_at = now
            invoice.next_attempt_on = None  # a retried debit that went through
            paid.append(invoice.pk)
        invoice.save(
            update_fields=["amount_paid", "status", "paid_at", "next_attempt_on", "updated_at"]
        )
        settled += 1
    # A payment of an invoice that suspended its contract gives the access back.
    nonpayment.subscriptions_reactivate_paid(invoice_ids=paid, now=now)
    return settled
