"""Pre-authorized debits: the CPA-005 files, the bank's returns, the debits settled.

- `pad_collect`: one CPA-005 file per institution and collection date (rule 33). Each
  debit is made alone: one the file cannot carry (an account recorded before the
  payment step's checks, or a value the writer refuses for another reason) fails by
  itself, its invoice goes to the failed payments with the reason (a FAILED attempt, no
  file) and is tried again on the institution's schedule; the file is written without it.
- `pad_returns_import`: the bank's returned-debit report (`payments.pad_returns`).
- `pad_settle_unreturned`: a debit the bank has not returned after the originator's
  delay (business days) is paid.

A returned debit is handled as a declined card charge is: the invoice is FAILED with the
institution's next retry date (BillingPolicy), the person is told by e-mail, a later
file debits it again (cross-reference PAD<invoice>-2, -3...) once that date has come,
and without a retry left the billing run suspends then cancels the contract.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import local_today
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.business_days import business_day_on_or_after, business_days_before
from parcauto.payments.cpa005 import BANK_PROFILES, Cpa005Error, write_file
from parcauto.payments.errors import CollectionError
from parcauto.payments.models import CollectionFile, PadOriginator, PaymentAttempt, PaymentMethod
from parcauto.payments.pad_returns import RETURN_REASONS, pad_returns_parse
from parcauto.payments.services.pad import (
    PadCalendarLine,
    pad_confirmation_record,
    pad_first_debit_earliest,
)
from parcauto.payments.services.pad_debit import pad_debit
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization

from .. import emails as billing_emails
from ..models import Invoice
from ..periods import collection_calendar
from .collect import next_attempt_on
from .collect_files import (
    attempts_settle,
    collection_file_save,
    collection_items,
    current_methods,
    due_invoices,
)

logger = logging.getLogger(__name__)

# The e-mail to the person whose debit came back (notifications/email/<name>-*).
PAD_RETURNED_EMAIL = "pad_debit_returned"
# How far the PAD confirmation's calendar of debits looks ahead.
_CALENDAR_MONTHS_AHEAD = 12


def pad_calendar(*, subscription: Subscription, first_debit_on: dt.date) -> list[PadCalendarLine]:
    """The debits to come: each scheduled charge, none drawn before `first_debit_on`, each
    on the business day it is drawn (a charge due on a weekend or a Quebec holiday goes
    with the next business day's file, `billing.services.run`)."""
    horizon = first_debit_on + dt.timedelta(days=31 * _CALENDAR_MONTHS_AHEAD)
    # Nothing is debited before the first debit: what fell due earlier is drawn that day.
    return [
        PadCalendarLine(
            debit_on=business_day_on_or_after(max(charge.due_on, first_debit_on)),
            amount=charge.amount,
        )
        for charge in collection_calendar(subscription, horizon=horizon)
    ]


def pad_confirmation_send(
    *, payment_method: PaymentMethod, first_debit_on: dt.date, now: dt.datetime
) -> OutboundEmail:
    """The PAD confirmation (rule 27) with the calendar of the debits to come.

    The method becomes ACTIVE. `first_debit_on` earlier than 10 days from now is refused
    (PadError): send the confirmation earlier or debit later. A second call returns the
    first e-mail and changes nothing. A first debit on a weekend or a Quebec holiday is
    announced for the next business day, when the bank draws it.
    """
    first_debit_on = business_day_on_or_after(first_debit_on)
    return pad_confirmation_record(
        payment_method=payment_method,
        first_debit_on=first_debit_on,
        calendar=pad_calendar(
            subscription=payment_method.subscription, first_debit_on=first_debit_on
        ),
        now=now,
    )


def pad_collect(
    *, organization: Organization, collection_date: dt.date, now: dt.datetime
) -> CollectionFile | None:
    """The new CPA-005 file of `collection_date`: every DUE debit not yet sent.

    A debit waits for a later date while its confirmation is less than 10 days old
    (rule 27). None when nothing was created: no originator settings, nothing due, or
    this date already has its file (a run started again). Account numbers are
    decrypted only to write the file, in memory. A debit the file cannot carry is left
    out, its invoice FAILED with the reason (`pad_debit_not_sent`): the others still go.
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
            due_invoices(
                organization,
                method=PaymentMethodKind.PAD,
                attempt_kind=PaymentAttempt.Kind.PAD_DEBIT,
                until=collection_date,
            )
        )
        methods = {
            subscription_id: method
            for subscription_id, method in current_methods(invoices, PaymentMethodKind.PAD).items()
            if method.pad_confirmation_sent_at is not None
            and pad_first_debit_earliest(confirmed_at=method.pad_confirmation_sent_at)
            <= collection_date
        }
        items, debits = [], []
        for item in collection_items(invoices, methods, "PAD"):
            method, amount, order_id = item.method, item.amount, item.order_id
            try:
                debits.append(
                    pad_debit(
                        method=method, amount=amount, order_id=order_id, due_on=collection_date
                    )
                )
            except Cpa005Error as error:  # this debit fails alone, the file goes
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
        text = write_file(
            settings=settings_row.file_settings(),
            file_creation_number=file_number,
            created_on=local_today(now),
            debits=debits,
        )
        settings_row.last_file_number = file_number
        settings_row.save(update_fields=["last_file_number", "updated_at"])
        return collection_file_save(
            organization=organization,
            kind=CollectionFile.Kind.CPA005,
            collection_date=collection_date,
            file_number=file_number,
            filename=f"cpa005-{collection_date:%Y%m%d}-{file_number:04d}.txt",
            content=(BANK_PROFILES[settings_row.bank_profile] + text).encode("ascii"),
            items=items,
            attempt_kind=PaymentAttempt.Kind.PAD_DEBIT,
        )


# What the failed payments list shows (English, as the bank's and the gateway's reasons
# are); the field only, never its value: the account number must not reach a screen.
_FIELDS = {
    "payor_name": "account holder's name",
    "institution": "institution number",
    "transit": "transit number",
    "account": "account number",
    "amount": "amount",
    "cross_reference": "cross-reference",
    "sundry": "sundry information",
}
INVOICE_FAILED_FIELDS = ["status", "failed_attempts", "next_attempt_on", "updated_at"]


def invoice_failed(invoice: Invoice, *, now: dt.datetime) -> list[str]:
    """Mark a locked invoice FAILED with its next try; the fields to save."""
    invoice.status = Invoice.Status.FAILED
    invoice.failed_attempts += 1
    invoice.next_attempt_on = next_attempt_on(
        invoice=invoice, failures=invoice.failed_attempts, today=local_today(now)
    )
    return INVOICE_FAILED_FIELDS


def pad_debit_not_sent(
    *,
    invoice: Invoice,
    method: PaymentMethod,
    amount: Decimal,
    order_id: str,
    error: Cpa005Error,
    now: dt.datetime,
) -> PaymentAttempt:
    """Record a debit left out of its file: a FAILED attempt with the reason, the invoice
    FAILED. Call it inside the transaction that writes the file."""
    reason = (
        f"Not sent to the bank: the {_FIELDS.get(error.field, error.field)} "
        "cannot be written in the CPA-005 file."
    )
    attempt = PaymentAttempt.objects.create(
        organization_id=invoice.organization_id,
        order_id=order_id,
        kind=PaymentAttempt.Kind.PAD_DEBIT,
        invoice=invoice,
        payment_method=method,
        amount=amount,
        status=PaymentAttempt.Status.FAILED,
        message=reason,
        settled_at=now,
    )
    locked = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=invoice.pk)
    )
    locked.save(update_fields=invoice_failed(locked, now=now))
    logger.warning("PAD debit %s left out of the file: %s", order_id, error.field)
    audit_log(
        action="payments.pad_debit_not_sent",
        actor=None,
        organization=locked.organization,
        target=attempt,
        data={
            "invoice": locked.number,
            "field": error.field,
            "next_attempt_on": locked.next_attempt_on.isoformat()
            if locked.next_attempt_on
            else None,
        },
    )
    return attempt


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
    rows = pad_returns_parse(content)
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


def pad_settle_unreturned(*, organization: Organization, as_of: dt.date, now: dt.datetime) -> int:
    """Count as paid the debits not returned `settle_after_business_days` after their date."""
    originator = PadOriginator.objects.filter(organization=organization).first()
    if originator is None:
        return 0
    # A file is settled once `settle_after_business_days` business days have passed after
    # its date: a file dated on a weekend or holiday counts from the next business day, as
    # the bank processes it then. So: dated before the business day after the cut-off.
    cutoff = business_days_before(as_of, originator.settle_after_business_days)
    counted_before = business_day_on_or_after(cutoff + dt.timedelta(days=1))
    with transaction.atomic():
        settled = attempts_settle(
            PaymentAttempt.objects.filter(
                organization=organization,
                kind=PaymentAttempt.Kind.PAD_DEBIT,
                status=PaymentAttempt.Status.SENT,
                collection_file__collection_date__lt=counted_before,
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
