"""Card charges, exactly once (ARCHITECTURE "Exactly-once charging").

Every charge is a PaymentAttempt committed *before* the gateway is called, its order id
`inv-<invoice number>-<try>` the gateway's idempotency key; the call is made outside any
transaction, then its answer recorded. An attempt whose answer never came (a timeout, a
crash) stays SENT: it is settled by asking the gateway what became of that order id,
and only when the gateway never had it is it sent again, with the *same* id. So an
invoice is never charged twice, whatever fails in between.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import local_today
from parcauto.payments.gateways import get_gateway
from parcauto.payments.gateways.base import (
    CardRejected,
    Charge,
    ChargeResult,
    Gateway,
    GatewayError,
)
from parcauto.payments.models import PaymentAttempt, PaymentMethod
from parcauto.payments.selectors import payment_method_current
from parcauto.payments.services.cards import card_method_vault

from ..models import Invoice
from ..selectors import billing_policy_for, retry_delays
from . import nonpayment

logger = logging.getLogger(__name__)

Outcome = ChargeResult | GatewayError


@dataclass
class Sent:
    """An attempt committed as SENT and the charge it stands for."""

    attempt: PaymentAttempt
    charge: Charge


@dataclass
class Tally:
    approved: int = 0
    declined: int = 0
    unknown: int = 0
    declined_invoices: list[int] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.approved += other.approved
        self.declined += other.declined
        self.unknown += other.unknown
        self.declined_invoices += other.declined_invoices


def order_id_for(*, invoice_number: int, attempt: int) -> str:
    return f"inv-{invoice_number}-{attempt}"


def is_first_invoice(invoice: Invoice) -> bool:
    """The contract's first charge: a cardholder-initiated one, whose refusal cancels it."""
    return (
        invoice.kind == Invoice.Kind.CHARGE
        and not Invoice.objects.filter(
            subscription_id=invoice.subscription_id,
            kind=Invoice.Kind.CHARGE,
            period_start__lt=invoice.period_start,
        ).exists()
    )


def next_attempt_on(*, invoice: Invoice, failures: int, today: dt.date) -> dt.date | None:
    """When a declined charge is tried again: the policy's delays from the due date."""
    delays = retry_delays(billing_policy_for(invoice.organization))
    if failures > len(delays):
        return None
    return max(invoice.due_date + dt.timedelta(days=delays[failures - 1]), today + dt.timedelta(1))


_SETTLED_FIELDS = ("status", "response_code", "message", "reference", "auth_code", "settled_at")
# Rows per statement: 7 parameters each stays far below SQLite's limit of 32,766.
_UPDATE_BATCH = 1000


def _attempts_update(attempts: Sequence[PaymentAttempt]) -> set[str]:
    """Write the answers of attempts still SENT, one statement per batch; their order ids.

    Only a SENT attempt is written: another process settling the same attempts at the
    same moment (two runs, a run and the approval task) records each answer once.

    `bulk_update` builds a CASE WHEN per field and row, which costs more than the
    charges themselves for a run's 2,000 attempts; a joined VALUES list is one plain
    UPDATE (WITH ... UPDATE ... FROM works on PostgreSQL and SQLite 3.33+).
    """
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(PaymentAttempt._meta.db_table)
    fields = [
        field for field in PaymentAttempt._meta.concrete_fields if field.name in _SETTLED_FIELDS
    ]
    columns = [field.column for field in fields]
    assignments = ", ".join(f"{quote(column)} = v.{quote(column)}" for column in columns)
    names = ", ".join(quote(column) for column in ["order_id", *columns])
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    written: set[str] = set()
    for start in range(0, len(attempts), _UPDATE_BATCH):
        batch = attempts[start : start + _UPDATE_BATCH]
        params: list[object] = []
        for attempt in batch:
            params.append(attempt.order_id)  # the key (unique), then `columns`' values
            params.extend(
                field.get_db_prep_save(getattr(attempt, field.attname), connection)
                for field in fields
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v ({names}) AS (VALUES {', '.join([row] * len(batch))}) "  # noqa: S608 - no input in the SQL
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.order_id = v.order_id"
                f" AND {table}.status = %s RETURNING {table}.order_id",
                [*params, PaymentAttempt.Status.SENT.value],
            )
            written.update(order_id for (order_id,) in cursor.fetchall())
    return written


def attempts_record(*, outcomes: Sequence[tuple[Sent, Outcome]], now: dt.datetime) -> Tally:
    """Record the gateway's answers: attempts settled, invoices paid or failed.

    An error (timeout, unreachable gateway) leaves its attempt SENT, for a later
    settlement. Approvals are a few statements whatever their number; a refusal is rare
    and handled one by one (retry date, e-mail, or the contract's cancellation).
    """
    tally = Tally()
    settled: list[PaymentAttempt] = []
    for sent, outcome in outcomes:
        if isinstance(outcome, GatewayError):
            tally.unknown += 1
            continue
        attempt = sent.attempt
        attempt.status = (
            PaymentAttempt.Status.APPROVED if outcome.approved else PaymentAttempt.Status.DECLINED
        )
        attempt.response_code = outcome.response_code[:10]
        attempt.message = outcome.message[:200]
        attempt.reference = outcome.reference[:50]
        attempt.auth_code = outcome.auth_code[:20]
        attempt.settled_at = outcome.processed_at or now
        settled.append(attempt)
    with transaction.atomic():
        written = _attempts_update(settled)
        paid = []
        for attempt in settled:
            if attempt.order_id not in written:
                continue  # settled by someone else meanwhile: counted there
            if attempt.status == PaymentAttempt.Status.APPROVED:
                paid.append(attempt.invoice_id)
                tally.approved += 1
            else:
                tally.declined_invoices.append(attempt.invoice_id)  # type: ignore[arg-type]
                tally.declined += 1
        Invoice.objects.filter(pk__in=paid).exclude(status=Invoice.Status.PAID).update(
            status=Invoice.Status.PAID,
            amount_paid=F("amount"),
            paid_at=now,
            next_attempt_on=None,
        )
        # A payment of an invoice that suspended its contract gives the access back.
        nonpayment.subscriptions_reactivate_paid(invoice_ids=paid, now=now)
        # In the same transaction: a crash here leaves the attempts SENT, to be settled
        # again, never DECLINED with an invoice that does not know it.
        for invoice_id in tally.declined_invoices:
            invoice_declined(invoice_id=invoice_id, now=now)
    return tally


def invoice_declined(*, invoice_id: int, now: dt.datetime) -> None:
    """A charge of the invoice was refused: first charge cancels, later ones are retried."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("organization", "subscription")
            .get(pk=invoice_id)
        )
        if invoice.status == Invoice.Status.PAID:
            return
        invoice.failed_attempts += 1
        invoice.status = Invoice.Status.FAILED
        subscription = invoice.subscription
        if is_first_invoice(invoice):
            invoice.next_attempt_on = None
            invoice.status = Invoice.Status.VOID  # nothing more is owed: the contract ends
            invoice.save(
                update_fields=["failed_attempts", "status", "next_attempt_on", "updated_at"]
            )
            nonpayment.subscription_payment_declined(
                subscription=subscription, invoice=invoice, now=now
            )
            return
        invoice.next_attempt_on = next_attempt_on(
            invoice=invoice, failures=invoice.failed_attempts, today=local_today(now)
        )
        invoice.save(update_fields=["failed_attempts", "status", "next_attempt_on", "updated_at"])
        nonpayment.subscription_payment_failed(subscription=subscription, invoice=invoice, now=now)


def charges_send(*, sent: Sequence[Sent], gateway: Gateway, now: dt.datetime) -> Tally:
    """Call the gateway for committed attempts (outside any transaction), record the answers.

    A timeout is followed at once by a status request for that order id: the charge
    may have gone through. Still unknown, the attempt stays SENT for the next run.
    """
    results = gateway.purchase_many([item.charge for item in sent]) if sent else []
    outcomes: list[tuple[Sent, Outcome]] = []
    for item, result in zip(sent, results, strict=True):
        if isinstance(result, GatewayError):
            try:
                known = gateway.status(order_id=item.charge.order_id)
            except GatewayError as error:
                result = error
            else:
                if known is not None:
                    result = known
        outcomes.append((item, result))
    return attempts_record(outcomes=outcomes, now=now)


def sent_settle(*, sent: Sequence[Sent], gateway: Gateway, now: dt.datetime) -> Tally:
    """Attempts left SENT by an earlier call: ask the gateway; resend only what it never had."""
    outcomes: list[tuple[Sent, Outcome]] = []
    resend: list[Sent] = []
    for item in sent:
        try:
            known = gateway.status(order_id=item.charge.order_id)
        except GatewayError as error:
            outcomes.append((item, error))
            continue
        if known is None:
            resend.append(item)  # never reached the gateway: the same order id is safe
        else:
            outcomes.append((item, known))
    tally = attempts_record(outcomes=outcomes, now=now)
    tally.add(charges_send(sent=resend, gateway=gateway, now=now))
    return tally


def _charge(attempt: PaymentAttempt, method: PaymentMethod, *, first: bool) -> Charge:
    return Charge(
        order_id=attempt.order_id,
        data_key=method.data_key,
        amount=attempt.amount,
        issuer_id=method.issuer_id,
        recurring=not first,
    )


def _card_ready(invoice: Invoice, *, now: dt.datetime) -> PaymentMethod | None:
    """The contract's card, stored in the vault first if it is still being verified.

    Raises CardRejected when the vault refuses it, GatewayError when it could not ask.
    """
    method = payment_method_current(subscription_id=invoice.subscription_id)
    if method is not None and method.kind != PaymentMethodKind.CARD:
        method = None
    if method is not None and method.status == PaymentMethod.Status.PENDING:
        method = card_method_vault(payment_method=method, now=now)
    if method is None or method.status != PaymentMethod.Status.ACTIVE:
        return None
    return method


def invoice_collect(
    *, invoice: Invoice, now: dt.datetime, gateway: Gateway | None = None
) -> PaymentAttempt | None:
    """Charge the invoice's card once; None when there is nothing to charge.

    Safe to call again at any time: a paid invoice is not charged, and an attempt
    still SENT is settled with its own order id instead of a new charge. Called in the
    scope of the invoice's institution (the `collect_first_invoice` task enters it).
    """
    if invoice.payment_method != PaymentMethodKind.CARD or invoice.status == Invoice.Status.PAID:
        return None
    gateway = gateway or get_gateway()
    first = is_first_invoice(invoice)
    pending = (
        PaymentAttempt.objects.select_related("payment_method")
        .filter(
            invoice=invoice,
            kind=PaymentAttempt.Kind.PURCHASE,
            status=PaymentAttempt.Status.SENT,
        )
        .first()
    )
    if pending is not None:
        item = Sent(pending, _charge(pending, pending.payment_method, first=first))
        sent_settle(sent=[item], gateway=gateway, now=now)
        pending.refresh_from_db()
        return pending
    try:
        method = _card_ready(invoice, now=now)
    except CardRejected:
        # The card could not even be stored: as good as a declined first charge.
        invoice_declined(invoice_id=invoice.pk, now=now)
        invoice.refresh_from_db()
        return None
    except GatewayError:
        logger.warning("invoice %s: the vault could not be reached", invoice.number)
        return None
    if method is None:
        logger.warning("invoice %s: no card on file to charge", invoice.number)
        return None
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status not in (Invoice.Status.DUE, Invoice.Status.FAILED) or (
            PaymentAttempt.objects.filter(
                invoice=locked, status=PaymentAttempt.Status.SENT
            ).exists()
        ):
            return None  # paid, void, or being charged by another worker right now
        attempt = PaymentAttempt.objects.create(
            organization_id=locked.organization_id,
            order_id=order_id_for(invoice_number=locked.number, attempt=locked.failed_attempts + 1),
            kind=PaymentAttempt.Kind.PURCHASE,
            invoice=locked,
            payment_method=method,
            amount=locked.amount - locked.amount_paid,
        )
    charges_send(
        sent=[Sent(attempt, _charge(attempt, method, first=first))], gateway=gateway, now=now
    )
    attempt.refresh_from_db()
    invoice.refresh_from_db()
    return attempt
