"""Each debit of a CPA-005 file is made alone: one the file cannot carry fails by itself.

The payment step refuses what the file cannot carry (`pad._holder_name_error`), but an
account recorded before that check, or a value the writer refuses for another reason,
must not stop the file of every other payor, nor the billing run of every institution.
Its invoice goes to the failed payments with the reason (a FAILED attempt, no file),
the file is written without it, and the invoice is tried again on the institution's
retry schedule, as a returned debit is (`collection.pad_returns_import`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from parcauto.audit.services import audit_log
from parcauto.billing.models import Invoice
from parcauto.billing.services.collect import next_attempt_on
from parcauto.core.clock import local_today

from .. import cpa005, crypto
from ..models import PaymentAttempt, PaymentMethod

logger = logging.getLogger(__name__)

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


def pad_debit(
    *, method: PaymentMethod, amount: Decimal, order_id: str, due_on: dt.date
) -> cpa005.Debit:
    """The file's debit for a bank account; Cpa005Error (naming the field) if it cannot be.

    The account number is decrypted here, in memory, for the file only.
    """
    return cpa005.Debit(
        amount=amount,
        due_on=due_on,
        institution=method.bank_institution,
        transit=method.bank_transit,
        account=crypto.bank_account_decrypt(method.bank_account_encrypted),
        payor_name=method.holder_name,
        cross_reference=order_id,
    )


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
    error: cpa005.Cpa005Error,
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
