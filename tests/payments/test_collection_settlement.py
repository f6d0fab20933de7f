"""Debits and deductions through the daily billing run, from the file to the money.

A PAD invoice goes in a file, the bank returns it, the institution's retry schedule puts
it in a later file (PAD<invoice>-2), and it is paid once the bank has had the debit for
the originator's delay; without a retry left, the contract is suspended then cancelled,
as for a declined card. While a debit waits in a file, its invoice is neither late nor
overdue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.billing.models import BillingPolicy, BillingRun, Invoice
from parcauto.billing.services.collect_pad import pad_collect, pad_returns_import
from parcauto.billing.services.run import billing_run
from parcauto.catalog.models import PaymentMethodKind
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.models import CollectionFile, PaymentAttempt
from parcauto.subscriptions.models import Subscription
from tests.billing.conftest import at

from .conftest import NOW
from .factories import (
    COLLECTION_DATE,
    contract_make,
    invoice_make,
    originator_make,
    pad_agreement_make,
    pad_contract_make,
)

pytestmark = pytest.mark.django_db

RETURNED_ON = dt.date(2026, 7, 2)  # a Thursday, the day after the 1 July debit
RETRY_ON = dt.date(2026, 7, 6)  # the policy's 5 days after the due date: a Monday


@pytest.fixture
def helene(organization) -> Invoice:
    """Hélène's July invoice, by PAD, due 1 July; retried once 5 days after a return;
    suspended 7 days and cancelled 20 days after the due date."""
    pad_agreement_make(organization)
    originator_make(organization)  # debits not returned after 5 business days are paid
    BillingPolicy.objects.create(
        organization=organization, retry_after_days="5", suspend_after_days=7, cancel_after_days=20
    )
    contract = pad_contract_make(
        organization, first_name="Hélène", last_name="Côté", account="123456789012"
    )
    return invoice_make(contract, due=COLLECTION_DATE)


def _run(day: dt.date) -> BillingRun:
    return billing_run(run_date=day, now=at(day, 3), gateway=SandboxGateway())


def _runs(first: dt.date, last: dt.date) -> list[BillingRun]:
    days = (last - first).days + 1
    return [_run(first + dt.timedelta(days=n)) for n in range(days)]


def _return(invoice: Invoice, attempt: int, day: dt.date, reason: str = "901") -> int:
    report = (
        f"cross_reference,amount,reason_code\r\nPAD{invoice.number}-{attempt},23.08,{reason}\r\n"
    )
    return pad_returns_import(organization=invoice.organization, content=report, now=at(day))


def test_a_returned_debit_is_retried_in_a_later_file_then_paid(
    helene, django_capture_on_commit_callbacks
) -> None:
    first = _run(COLLECTION_DATE)
    assert first.files_created == 1
    assert PaymentAttempt.objects.get(invoice=helene).order_id == f"PAD{helene.number}-1"

    with django_capture_on_commit_callbacks(execute=True):
        assert _return(helene, 1, RETURNED_ON) == 1
    helene.refresh_from_db()
    assert (helene.status, helene.failed_attempts, helene.next_attempt_on) == (
        Invoice.Status.FAILED,
        1,
        RETRY_ON,
    )
    email = OutboundEmail.objects.get(template="pad_debit_returned")
    assert email.to == helene.subscription.person.email
    number = helene.subscription.contract_number
    assert email.subject.endswith(f"Prélèvement retourné pour le contrat nº {number}")
    assert f"retourné le prélèvement de la facture nº {helene.number}" in email.body_text
    assert "6 juillet 2026" in email.body_text
    event = AuditEvent.objects.get(action="payments.pad_debit_returned")
    assert event.data["next_attempt_on"] == RETRY_ON.isoformat()

    # Until the retry date, no file takes it again.
    _runs(RETURNED_ON, RETRY_ON - dt.timedelta(days=1))
    assert PaymentAttempt.objects.filter(invoice=helene).count() == 1

    retry_run = _run(RETRY_ON)
    assert retry_run.files_created == 1
    retry = PaymentAttempt.objects.get(invoice=helene, status=PaymentAttempt.Status.SENT)
    assert retry.order_id == f"PAD{helene.number}-2"
    assert retry.collection_file.collection_date == RETRY_ON

    # In the file and waiting for the bank: not suspended, though 7 days past due.
    runs = _runs(RETRY_ON + dt.timedelta(days=1), dt.date(2026, 7, 10))
    helene.refresh_from_db()
    assert (helene.status, helene.suspended_at) == (Invoice.Status.FAILED, None)
    assert sum(run.suspended + run.charges_approved for run in runs) == 0
    assert helene.subscription.status == Subscription.Status.ACTIVE

    # Saturday 11 July: the bank has had the 6 July debit 5 business days: paid.
    settling = _run(dt.date(2026, 7, 11))
    assert settling.charges_approved == 1
    helene.refresh_from_db()
    assert (helene.status, helene.amount_paid, helene.next_attempt_on) == (
        Invoice.Status.PAID,
        helene.amount,
        None,
    )
    retry.refresh_from_db()
    assert retry.status == PaymentAttempt.Status.APPROVED
    # The next run settles nothing again and makes no file.
    again = _run(dt.date(2026, 7, 13))
    assert (again.charges_approved, again.files_created) == (0, 0)
    assert CollectionFile.objects.count() == 2


def test_the_return_e_mail_speaks_the_persons_language(
    helene, django_capture_on_commit_callbacks
) -> None:
    person = helene.subscription.person
    person.language = "en"
    person.save(update_fields=["language"])
    _run(COLLECTION_DATE)
    with django_capture_on_commit_callbacks(execute=True):
        _return(helene, 1, RETURNED_ON)
    email = OutboundEmail.objects.get(template="pad_debit_returned")
    number = helene.subscription.contract_number
    assert email.subject.endswith(f"Pre-authorized debit returned for contract no. {number}")
    assert f"Your bank returned the pre-authorized debit of invoice no. {helene.number}" in (
        email.body_text
    )
    assert "We will debit your account again on July 6, 2026." in email.body_html


def test_without_a_retry_left_the_contract_is_suspended_then_cancelled(
    helene, django_capture_on_commit_callbacks
) -> None:
    _run(COLLECTION_DATE)
    _return(helene, 1, RETURNED_ON)
    _runs(RETURNED_ON, RETRY_ON)
    with django_capture_on_commit_callbacks(execute=True):
        assert _return(helene, 2, dt.date(2026, 7, 7), reason="905") == 1
    helene.refresh_from_db()
    assert (helene.status, helene.failed_attempts, helene.next_attempt_on) == (
        Invoice.Status.FAILED,
        2,
        None,
    )
    last = OutboundEmail.objects.filter(template="pad_debit_returned").latest("id")
    assert "Nous ne réessaierons pas" in last.body_text

    suspending = _run(dt.date(2026, 7, 8))
    assert (suspending.suspended, suspending.files_created) == (1, 0)
    helene.refresh_from_db()
    assert helene.suspended_at is not None
    _runs(dt.date(2026, 7, 9), dt.date(2026, 7, 20))
    assert Subscription.objects.get(pk=helene.subscription_id).status == (
        Subscription.Status.SUSPENDED
    )
    cancelling = _run(dt.date(2026, 7, 21))
    assert cancelling.cancelled == 1
    assert Subscription.objects.get(pk=helene.subscription_id).status == (
        Subscription.Status.PAYMENT_FAILED
    )
    # Never debited a third time.
    assert PaymentAttempt.objects.filter(invoice=helene).count() == 2


@pytest.mark.parametrize(
    "status", [Subscription.Status.CANCELLED, Subscription.Status.PAYMENT_FAILED]
)
def test_an_ended_contracts_returned_debit_is_not_debited_again(helene, status) -> None:
    _run(COLLECTION_DATE)
    _return(helene, 1, RETURNED_ON)
    Subscription.objects.filter(pk=helene.subscription_id).update(status=status)
    assert pad_collect(organization=helene.organization, collection_date=RETRY_ON, now=NOW) is None
    assert PaymentAttempt.objects.filter(invoice=helene).count() == 1


def test_a_debit_waiting_in_a_file_is_charged_no_late_interest(helene) -> None:
    """A June invoice returned, then retried in the 30 June file: on 1 July it is in
    the bank's hands, so no interest; another unpaid June invoice is charged some."""
    Invoice.objects.filter(pk=helene.pk).update(
        period_start=dt.date(2026, 6, 1),
        due_date=dt.date(2026, 6, 1),
        status=Invoice.Status.FAILED,
        failed_attempts=1,
        next_attempt_on=dt.date(2026, 6, 30),
    )
    other = contract_make(helene.organization, payment_method=PaymentMethodKind.PAD)
    unpaid = invoice_make(other, due=dt.date(2026, 6, 1), status=Invoice.Status.FAILED)
    assert pad_collect(
        organization=helene.organization, collection_date=dt.date(2026, 6, 30), now=NOW
    )
    run = _run(COLLECTION_DATE)
    assert run.interest_invoices == 1
    interest = Invoice.objects.get(kind=Invoice.Kind.INTEREST)
    assert interest.subscription_id == unpaid.subscription_id
    assert interest.amount == Decimal("0.35")  # 1.5 % of 23.08
