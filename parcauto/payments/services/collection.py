"""The files that collect debits and deductions, and what comes back from the bank.

- `pad_collect`: one CPA-005 file per institution and collection date (rule 33).
- `pad_returns_import`: the bank's returned-debit report (CSV, below).
- `pad_settle_unreturned`: a debit the bank has not returned after the originator's
  delay (business days) is paid.
- `payroll_collect` / `payroll_settle_sent`: one CSV per employer and pay period.

Each file is made in one transaction with its PaymentAttempt rows (SENT, their
`order_id` is the file's cross-reference), so a crash leaves either the whole file or
nothing, and a second call for the same date or period makes nothing (and returns None:
the collectors return only what they created).

Returned-debit report (`pad_returns_import`), UTF-8 CSV with this header line:

    cross_reference,amount,reason_code
    PAD100000042-1,23.08,901

`cross_reference` is the file's (the attempt's order id), `amount` the debit in dollars
with a dot, `reason_code` the bank's CPA return reason (901 NSF, 905 account closed...).
A report is imported whole or not at all; lines already imported are skipped.

A returned debit is handled as a declined card charge is: the invoice is FAILED with the
institution's next retry date (BillingPolicy), the person is told by e-mail, a later
file debits it again (cross-reference PAD<invoice>-2, -3...) once that date has come,
and without a retry left the billing run suspends then cancels the contract.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.billing import emails as billing_emails
from parcauto.billing.models import Invoice
from parcauto.billing.services.invoices import BILLED_STATUSES
from parcauto.billing.taxes import tax_split_on
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import local_today
from parcauto.core.errors import DomainError
from parcauto.tenants.models import Organization

from .. import cpa005
from ..models import CollectionFile, PadOriginator, PaymentAttempt, PaymentMethod, PayrollEmployer
from .pad import pad_first_debit_earliest
from .pad_debits import invoice_failed, pad_debit, pad_debit_not_sent

RETURNS_COLUMNS = ("cross_reference", "amount", "reason_code")
PAYROLL_COLUMNS = (
    "numero_employe",
    "nom",
    "numero_contrat",
    "montant",
    "tps",
    "tvq",
    "periode",
)
PAY_PERIOD_DAYS = 14  # 26 pay periods a year
# What some banks put before the A record (DOMAIN_RULES 2.6); the rest is the standard.
BANK_PROFILES = {"standard": "", "rbc": "$$AAPACPA1464[PROD[NL$$\r\n"}
# The common CPA return reasons, kept with the attempt for the follow-up.
RETURN_REASONS = {
    "900": "Edit reject",
    "901": "NSF (debit only)",
    "902": "Account not found",
    "903": "Payment stopped/recalled",
    "904": "Post/stale dated",
    "905": "Account closed",
    "907": "No debit allowed",
    "908": "Funds not cleared",
    "909": "Currency/account mismatch",
    "910": "Payor/payee deceased",
    "911": "Account frozen",
    "912": "Invalid/incorrect account number",
    "914": "Incorrect payor/payee name",
    "915": "Refused by payor/payee",
    "916": "Not in accordance with agreement - personal",
    "917": "Agreement revoked - personal",
    "918": "No confirmation/pre-notification - personal",
    "919": "Not in accordance with agreement - business",
    "920": "Agreement revoked - business",
    "921": "No confirmation/pre-notification - business",
}
_IN_FLIGHT_OR_PAID = (PaymentAttempt.Status.SENT, PaymentAttempt.Status.APPROVED)
# The e-mail to the person whose debit came back (notifications/email/<name>-*).
PAD_RETURNED_EMAIL = "pad_debit_returned"


class CollectionError(DomainError):
    code = "collection_error"


def _collected_or_in_flight(kind: str) -> Exists:
    """An attempt of `kind` on the invoice is out or paid (a returned one may go again)."""
    return Exists(
        PaymentAttempt.objects.filter(
            invoice=OuterRef("pk"), kind=kind, status__in=_IN_FLIGHT_OR_PAID
        )
    )


def _due_invoices(
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


def _current_methods(invoices: list[Invoice], kind: str) -> dict[int, PaymentMethod]:
    methods = PaymentMethod.objects.filter(
        subscription_id__in={invoice.subscription_id for invoice in invoices},
        kind=kind,
        status=PaymentMethod.Status.ACTIVE,
    )
    return {method.subscription_id: method for method in methods}


def _outstanding(invoice: Invoice) -> Decimal:
    return invoice.amount - invoice.amount_paid


@dataclass(frozen=True)
class _Item:
    invoice: Invoice
    method: PaymentMethod
    amount: Decimal
    order_id: str


def _items(
    invoices: Iterable[Invoice], methods: dict[int, PaymentMethod], prefix: str
) -> Iterator[_Item]:
    for invoice in invoices:
        method = methods.get(invoice.subscription_id)
        amount = _outstanding(invoice)
        if method is not None and amount > 0:
            number = invoice.earlier + 1  # type: ignore[attr-defined]
            yield _Item(invoice, method, amount, f"{prefix}{invoice.number}-{number}")


def _file_save(
    *,
    organization: Organization,
    kind: str,
    collection_date: dt.date,
    file_number: int | None,
    filename: str,
    content: bytes,
    items: list[_Item],
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


def pad_collect(
    *, organization: Organization, collection_date: dt.date, now: dt.datetime
) -> CollectionFile | None:
    """The new CPA-005 file of `collection_date`: every DUE debit not yet sent.

    A debit waits for a later date while its confirmation is less than 10 days old
    (rule 27). None when nothing was created: no originator settings, nothing due, or
    this date already has its file (a run started again). Account numbers are
    decrypted only to write the file, in memory. A debit the file cannot carry is left
    out, its invoice FAILED with the reason (`pad_debits`): the others still go.
    """
    with transaction.atomic():
        # The lock serializes two runs of the same institution: file numbers stay in order.
        originator = PadOriginator.objects.select_for_update().filter(organization=organization)
        settings_row = originator.first()
        if settings_row is None:
            return None
        if CollectionFile.objects.filter(
            organization=organization,
            kind=CollectionFile.Kind.CPA005,
            collection_date=collection_date,
        ).exists():
            return None
        invoices = list(
            _due_invoices(
                organization,
                method=PaymentMethodKind.PAD,
                attempt_kind=PaymentAttempt.Kind.PAD_DEBIT,
                until=collection_date,
            )
        )
        methods = {
            subscription_id: method
            for subscription_id, method in _current_methods(invoices, PaymentMethodKind.PAD).items()
            if method.pad_confirmation_sent_at is not None
            and pad_first_debit_earliest(confirmed_at=method.pad_confirmation_sent_at)
            <= collection_date
        }
        items, debits = [], []
        for item in _items(invoices, methods, "PAD"):
            method, amount, order_id = item.method, item.amount, item.order_id
            try:
                debits.append(
                    pad_debit(
                        method=method, amount=amount, order_id=order_id, due_on=collection_date
                    )
                )
            except cpa005.Cpa005Error as error:  # this debit fails alone, the file goes
                pad_debit_not_sent(
                    invoice=item.invoice,
                    method=method,
                    amount=amount,
                    order_id=order_id,
                    error=error,
                    now=now,
                )
            else:
                items.append(item)
        if not items:
            return None
        if settings_row.bank_profile not in BANK_PROFILES:
            raise CollectionError(
                _("Unknown bank profile %(profile)s.") % {"profile": settings_row.bank_profile},
                code="bank_profile_unknown",
            )
        # 9999 is followed by 1: the bank only checks that each number follows the last.
        file_number = settings_row.last_file_number % 9999 + 1
        text = cpa005.write_file(
            settings=settings_row.file_settings(),
            file_creation_number=file_number,
            created_on=local_today(now),
            debits=debits,
        )
        settings_row.last_file_number = file_number
        settings_row.save(update_fields=["last_file_number", "updated_at"])
        return _file_save(
            organization=organization,
            kind=CollectionFile.Kind.CPA005,
            collection_date=collection_date,
            file_number=file_number,
            filename=f"cpa005-{collection_date:%Y%m%d}-{file_number:04d}.txt",
            content=(BANK_PROFILES[settings_row.bank_profile] + text).encode("ascii"),
            items=items,
            attempt_kind=PaymentAttempt.Kind.PAD_DEBIT,
        )


@dataclass(frozen=True)
class _Return:
    line: int
    cross_reference: str
    amount: Decimal
    reason_code: str


def _returns_parse(content: str) -> list[_Return]:
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != RETURNS_COLUMNS:
        raise CollectionError(
            _("The first line must be %(header)s.") % {"header": ",".join(RETURNS_COLUMNS)},
            code="returns_header",
        )
    rows, problems = [], []
    for line, row in enumerate(reader, start=2):
        try:
            amount = Decimal(row["amount"].strip())
        except (InvalidOperation, AttributeError):
            problems.append(line)
            continue
        reference, reason = (
            (row["cross_reference"] or "").strip(),
            (row["reason_code"] or "").strip(),
        )
        if not reference or not reason.isdigit() or amount <= 0:
            problems.append(line)
            continue
        rows.append(_Return(line, reference, amount, reason))
    if problems:
        raise CollectionError(
            _("These lines cannot be read: %(lines)s.") % {"lines": ", ".join(map(str, problems))},
            code="returns_unreadable",
        )
    return rows


def pad_returns_import(
    *, organization: Organization, content: str, now: dt.datetime, actor: User | None = None
) -> int:
    """Mark the reported debits RETURNED and their invoices FAILED; how many were new.

    A return may come after the debit was counted as paid (up to 90 days for a personal
    account, rule 31): the payment is then taken back off the invoice. The billing's
    retry and dunning pick FAILED invoices up. An unknown cross-reference or a wrong
    amount refuses the whole report. `actor`: who uploaded it (back office), audited
    with the report's counts.
    """
    rows = _returns_parse(content)
    with transaction.atomic():
        attempts = {
            attempt.order_id: attempt
            for attempt in PaymentAttempt.objects.select_for_update().filter(
                organization=organization,
                kind=PaymentAttempt.Kind.PAD_DEBIT,
                order_id__in=[row.cross_reference for row in rows],
            )
        }
        unmatched = [
            row.line
            for row in rows
            if row.cross_reference not in attempts
            or attempts[row.cross_reference].amount != row.amount
        ]
        if unmatched:
            raise CollectionError(
                _("These lines match no debit of this institution: %(lines)s.")
                % {"lines": ", ".join(map(str, unmatched))},
                code="returns_unmatched",
            )
        returned = 0
        for row in rows:
            attempt = attempts[row.cross_reference]
            if attempt.status == PaymentAttempt.Status.RETURNED:
                continue  # the same report, or line, imported again
            _attempt_return(attempt, reason_code=row.reason_code, actor=actor, now=now)
            returned += 1
        audit_log(
            action="payments.pad_returns_imported",
            actor=actor,
            organization=organization,
            data={"lines": len(rows), "returned": returned},
        )
    return returned


def _attempt_return(
    attempt: PaymentAttempt, *, reason_code: str, actor: User | None, now: dt.datetime
) -> None:
    was_paid = attempt.status == PaymentAttempt.Status.APPROVED
    attempt.status = PaymentAttempt.Status.RETURNED
    attempt.response_code = reason_code
    attempt.message = RETURN_REASONS.get(reason_code, "")
    attempt.settled_at = now
    attempt.save(update_fields=["status", "response_code", "message", "settled_at", "updated_at"])
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("organization", "subscription")
        .get(pk=attempt.invoice_id)
    )
    if was_paid:
        invoice.amount_paid -= attempt.amount
        invoice.paid_at = None
    invoice.save(update_fields=["amount_paid", "paid_at", *invoice_failed(invoice, now=now)])
    billing_emails.billing_email_after_commit(
        subscription=invoice.subscription, template=PAD_RETURNED_EMAIL, invoice=invoice
    )
    audit_log(
        action="payments.pad_debit_returned",
        actor=actor,
        organization=attempt.organization,
        target=attempt,
        data={
            "invoice": invoice.number,
            "amount": str(attempt.amount),
            "reason_code": reason_code,
            "was_paid": was_paid,
            "next_attempt_on": invoice.next_attempt_on.isoformat()
            if invoice.next_attempt_on
            else None,
        },
    )


def business_days_before(day: dt.date, count: int) -> dt.date:
    """The date `count` business days (Monday to Friday) before `day`."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _attempts_settle(attempts: QuerySet[PaymentAttempt], *, now: dt.datetime) -> int:
    settled = 0
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
        invoice.save(
            update_fields=["amount_paid", "status", "paid_at", "next_attempt_on", "updated_at"]
        )
        settled += 1
    return settled


def pad_settle_unreturned(*, organization: Organization, as_of: dt.date, now: dt.datetime) -> int:
    """Count as paid the debits not returned `settle_after_business_days` after their date."""
    originator = PadOriginator.objects.filter(organization=organization).first()
    if originator is None:
        return 0
    cutoff = business_days_before(as_of, originator.settle_after_business_days)
    with transaction.atomic():
        settled = _attempts_settle(
            PaymentAttempt.objects.filter(
                organization=organization,
                kind=PaymentAttempt.Kind.PAD_DEBIT,
                status=PaymentAttempt.Status.SENT,
                collection_file__collection_date__lte=cutoff,
            ),
            now=now,
        )
        if settled:
            audit_log(
                action="payments.pad_debits_settled",
                actor=None,
                organization=organization,
                data={"as_of": as_of.isoformat(), "debits": settled},
            )
    return settled


def pay_period(*, anchor: dt.date, day: dt.date) -> tuple[dt.date, dt.date]:
    """The 14-day pay period holding `day`, first and last days, counted from `anchor`."""
    start = anchor + dt.timedelta(days=(day - anchor).days // PAY_PERIOD_DAYS * PAY_PERIOD_DAYS)
    return start, start + dt.timedelta(days=PAY_PERIOD_DAYS - 1)


def _payroll_row(item: _Item, period: str) -> list[str]:
    invoice, subscription = item.invoice, item.invoice.subscription
    if item.amount == invoice.amount:
        gst, qst = invoice.gst, invoice.qst
    elif invoice.gst or invoice.qst:  # partly paid: the taxes of what is left
        gst, qst = tax_split_on(amount=item.amount, day=invoice.period_start, taxable=True)[1:]
    else:
        gst = qst = Decimal("0.00")
    profile = getattr(subscription.person, "profile", None)
    name = profile.full_name if profile is not None else subscription.person.email
    return [
        item.method.employee_number,
        name,
        str(subscription.contract_number),
        str(item.amount),
        str(gst),
        str(qst),
        period,
    ]


def payroll_collect(
    *, organization: Organization, run_date: dt.date, now: dt.datetime
) -> CollectionFile | None:
    """The employer's deduction file for the pay period holding `run_date` (CSV).

    Columns PAYROLL_COLUMNS (French headers, for the institution's pay office): employee
    number, name, contract number, amount taxes included, GST, QST, period
    ("YYYY-MM-DD/YYYY-MM-DD"). It holds every DUE payroll invoice due by the period's
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
            _due_invoices(
                organization,
                method=PaymentMethodKind.PAYROLL,
                attempt_kind=PaymentAttempt.Kind.PAYROLL,
                until=end,
            )
        )
        items = list(_items(invoices, _current_methods(invoices, PaymentMethodKind.PAYROLL), "PAY"))
        if not items:
            return None
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(PAYROLL_COLUMNS)
        period = f"{start.isoformat()}/{end.isoformat()}"
        writer.writerows(_payroll_row(item, period) for item in items)
        return _file_save(
            organization=organization,
            kind=CollectionFile.Kind.PAYROLL,
            collection_date=start,
            file_number=None,
            filename=f"paie-{employer.employer_code}-{start:%Y%m%d}.csv",
            content=buffer.getvalue().encode("utf-8"),
            items=items,
            attempt_kind=PaymentAttempt.Kind.PAYROLL,
        )


def payroll_settle_sent(*, organization: Organization, as_of: dt.date, now: dt.datetime) -> int:
    """Count as paid the deductions of every pay period that ended before `as_of`."""
    with transaction.atomic():
        return _attempts_settle(
            PaymentAttempt.objects.filter(
                organization=organization,
                kind=PaymentAttempt.Kind.PAYROLL,
                status=PaymentAttempt.Status.SENT,
                collection_file__collection_date__lt=as_of - dt.timedelta(days=PAY_PERIOD_DAYS - 1),
            ),
            now=now,
        )
