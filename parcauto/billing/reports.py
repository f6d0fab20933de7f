"""What the operator reads about money: read-only selectors for the back office.

Nothing here changes a row. Every selector takes the institutions the reader may see and
narrows to them, so a page cannot forget to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate

from parcauto.core.clock import LOCAL_TZ
from parcauto.core.params import parse_id
from parcauto.payments.models import CollectionFile, PaymentAttempt
from parcauto.tenants.models import Organization

from .models import BillingRun, Invoice

_ZERO = Decimal("0.00")
# A call still "sent" after this long will not settle by itself: someone must look.
STALE_ATTEMPT_AFTER = dt.timedelta(days=1)
_CHARGES = [
    PaymentAttempt.Kind.PURCHASE,
    PaymentAttempt.Kind.PAD_DEBIT,
    PaymentAttempt.Kind.PAYROLL,
]


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def _on_local_days(first: dt.date, last: dt.date) -> Q:
    """`created_at` within the local (Quebec) days `first` to `last`, both included."""
    return Q(
        created_at__gte=_local_midnight(first),
        created_at__lt=_local_midnight(last + dt.timedelta(days=1)),
    )


# --- Billing runs ------------------------------------------------------------------------


def billing_runs() -> QuerySet[BillingRun]:
    return BillingRun.objects.order_by("-run_date", "-started_at", "-pk")


@dataclass
class InstitutionRunCounts:
    """What one day's billing did for one institution (a run covers every institution)."""

    organization: Organization
    invoices_created: int = 0
    charges_approved: int = 0
    charges_declined: int = 0
    files_created: int = 0


def billing_run_counts(
    *, run_dates: Iterable[dt.date], organizations: QuerySet[Organization]
) -> dict[dt.date, list[InstitutionRunCounts]]:
    """Per run date, per institution: the invoices, charges and files created that day.

    A run does not stamp its rows, so its share of an institution is read from what was
    created on its date (Quebec time); a charge retried by hand that day counts too.
    Institutions with nothing that day are left out. Three grouped queries for any
    number of dates.
    """
    dates = sorted(set(run_dates))
    if not dates:
        return {}
    by_id = {o.pk: o for o in organizations}
    counts: dict[tuple[dt.date, int], InstitutionRunCounts] = {}

    def add(rows: Iterable[dict[str, Any]], name: str) -> None:
        for row in rows:
            day, organization_id = row["day"], row["organization"]
            if day not in dates:  # a day between two runs
                continue
            entry = counts.setdefault(
                (day, organization_id), InstitutionRunCounts(by_id[organization_id])
            )
            setattr(entry, name, getattr(entry, name) + row["n"])

    def grouped(queryset: QuerySet[Any], *extra: str) -> list[dict[str, Any]]:
        return list(
            queryset.filter(_on_local_days(dates[0], dates[-1]), organization__in=list(by_id))
            .annotate(day=TruncDate("created_at", tzinfo=LOCAL_TZ))
            .values("day", "organization", *extra)
            .annotate(n=Count("pk"))
            .order_by()
        )

    add(grouped(Invoice.objects.all()), "invoices_created")
    attempts = grouped(
        PaymentAttempt.objects.filter(
            kind__in=_CHARGES,
            status__in=[PaymentAttempt.Status.APPROVED, PaymentAttempt.Status.DECLINED],
        ),
        "status",
    )
    add(
        [a for a in attempts if a["status"] == PaymentAttempt.Status.APPROVED],
        "charges_approved",
    )
    add(
        [a for a in attempts if a["status"] == PaymentAttempt.Status.DECLINED],
        "charges_declined",
    )
    add(grouped(CollectionFile.objects.all()), "files_created")
    result: dict[dt.date, list[InstitutionRunCounts]] = {}
    for (day, _organization_id), entry in counts.items():
        result.setdefault(day, []).append(entry)
    for entries in result.values():
        entries.sort(key=lambda e: e.organization.name_fr)
    return result


# --- Failed payments ----------------------------------------------------------------------


def failed_payments(
    *, organizations: QuerySet[Organization], now: dt.datetime
) -> QuerySet[Invoice]:
    """Invoices to follow up: payment failed, or a call still unanswered after a day.

    Each carries its last attempt's gateway message and status (`last_message`,
    `last_status`, `last_attempt_at`). Next attempt first, then the oldest.
    """
    stale = PaymentAttempt.objects.filter(
        status=PaymentAttempt.Status.SENT,
        created_at__lt=now - STALE_ATTEMPT_AFTER,
        invoice__isnull=False,
    ).values("invoice_id")
    last = PaymentAttempt.objects.filter(invoice=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        Invoice.objects.filter(organization__in=organizations)
        .filter(Q(status=Invoice.Status.FAILED) | Q(pk__in=stale))
        .annotate(
            last_message=Subquery(last.values("message")[:1]),
            last_status=Subquery(last.values("status")[:1]),
            last_attempt_at=Subquery(last.values("created_at")[:1]),
        )
        .select_related(
            "organization",
            "subscription",
            "subscription__person",
            "subscription__person__profile",
        )
        # Nulls last on both databases (SQLite would put them first).
        .order_by(F("next_attempt_on").asc(nulls_last=True), "due_date", "pk")
    )


# --- Collection files ---------------------------------------------------------------------


def collection_files(*, organizations: QuerySet[Organization]) -> QuerySet[CollectionFile]:
    return (
        CollectionFile.objects.filter(organization__in=organizations)
        .select_related("organization")
        .order_by("-collection_date", "organization__name_fr", "kind", "-pk")
    )


# --- Invoices -----------------------------------------------------------------------------


def invoices_of(*, organizations: QuerySet[Organization]) -> QuerySet[Invoice]:
    """Invoices with what their page shows: contract, person, lot, product; attempts and
    refunds prefetched in order."""
    return (
        Invoice.objects.filter(organization__in=organizations)
        .select_related(
            "organization",
            "subscription",
            "subscription__person",
            "subscription__person__profile",
            "subscription__lot",
            "subscription__product",
        )
        .prefetch_related("attempts", "refunds__created_by")
    )


def invoice_search(
    *, organizations: QuerySet[Organization], text: str = "", status: str = ""
) -> QuerySet[Invoice]:
    """Invoices found by number, contract number or the person's e-mail; latest first."""
    found = invoices_of(organizations=organizations).order_by("-due_date", "-pk")
    if status:
        found = found.filter(status=status)
    text = text.strip()
    number = parse_id(text)
    if number is not None:
        return found.filter(Q(number=number) | Q(subscription__contract_number=number))
    if text:
        return found.filter(subscription__person__email__icontains=text)
    return found


# --- Revenue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevenueRow:
    """Paid invoices of one institution, lot and product."""

    organization_id: int
    organization: str
    lot: str
    product: str
    invoices: int
    pre_tax: Decimal
    gst: Decimal
    qst: Decimal
    total: Decimal


@dataclass(frozen=True)
class Revenue:
    rows: list[RevenueRow] = field(default_factory=list)

    @property
    def invoices(self) -> int:
        return sum(r.invoices for r in self.rows)

    @property
    def pre_tax(self) -> Decimal:
        return sum((r.pre_tax for r in self.rows), _ZERO)

    @property
    def gst(self) -> Decimal:
        return sum((r.gst for r in self.rows), _ZERO)

    @property
    def qst(self) -> Decimal:
        return sum((r.qst for r in self.rows), _ZERO)

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), _ZERO)


def revenue_by_lot_and_product(
    *,
    organizations: QuerySet[Organization],
    first_day: dt.date,
    last_day: dt.date,
    language: str,
) -> Revenue:
    """Paid invoices whose payment came in from `first_day` to `last_day` (Quebec time),
    summed per institution, lot and product, as invoiced (refunds are not deducted).

    One grouped query; names in `language` (French when there is no English name).
    """
    paid_within = Q(
        paid_at__gte=_local_midnight(first_day),
        paid_at__lt=_local_midnight(last_day + dt.timedelta(days=1)),
    )
    english = language == "en"
    grouped = (
        Invoice.objects.filter(paid_within, organization__in=organizations)
        .filter(status=Invoice.Status.PAID)
        .values(
            "organization",
            "organization__name_fr",
            "organization__name_en",
            "subscription__lot__number",
            "subscription__lot__name",
            "subscription__product__number",
            "subscription__product__name_fr",
            "subscription__product__name_en",
        )
        .annotate(
            n=Count("pk"),
            pre_tax_sum=Sum("pre_tax"),
            gst_sum=Sum("gst"),
            qst_sum=Sum("qst"),
            total_sum=Sum("amount"),
        )
        .order_by(
            "organization__name_fr", "subscription__lot__number", "subscription__product__number"
        )
    )

    def name(row: dict[str, object], prefix: str) -> str:
        french, other = str(row[f"{prefix}_fr"]), str(row[f"{prefix}_en"] or "")
        return other if english and other else french

    return Revenue(
        rows=[
            RevenueRow(
                organization_id=int(str(row["organization"])),
                organization=name(row, "organization__name"),
                lot=f"{row['subscription__lot__number']} - {row['subscription__lot__name']}",
                product=(
                    f"{row['subscription__product__number']} - "
                    f"{name(row, 'subscription__product__name')}"
                ),
                invoices=int(str(row["n"])),
                pre_tax=_decimal(row["pre_tax_sum"]),
                gst=_decimal(row["gst_sum"]),
                qst=_decimal(row["qst_sum"]),
                total=_decimal(row["total_sum"]),
            )
            for row in grouped
        ]
    )


def _decimal(value: object) -> Decimal:
    # SQLite hands sums back as Decimal with more places than the column: two places always.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
