"""The daily run settles what the collection files sent: debits the bank has not returned
after the originator's delay, deductions of pay periods that are over; counted as
approved charges on the run, once, however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.billing.models import BillingRun, Invoice
from parcauto.billing.services.run import billing_run
from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.models import PaymentAttempt
from parcauto.payments.services.payroll import payroll_method_record
from tests.billing.conftest import at
from tests.payments.conftest import NOW
from tests.payments.factories import (
    COLLECTION_DATE,
    contract_make,
    employer_make,
    invoice_make,
    originator_make,
    pad_agreement_make,
    pad_contract_make,
)

pytestmark = pytest.mark.django_db


def _run(day: dt.date) -> BillingRun:
    return billing_run(run_date=day, now=at(day, 3), gateway=SandboxGateway())


@pytest.fixture
def helene(organization) -> Invoice:
    pad_agreement_make(organization)
    originator_make(organization)  # debits not returned after 5 business days are paid
    contract = pad_contract_make(
        organization, first_name="Hélène", last_name="Côté", account="123456789012"
    )
    return invoice_make(contract, due=COLLECTION_DATE)


def test_a_debit_not_returned_is_paid_after_the_originators_delay(helene) -> None:
    sent = _run(COLLECTION_DATE)  # Wednesday 1 July
    assert (sent.files_created, sent.charges_approved) == (1, 0)
    # Tuesday 7 July: 4 business days (2, 3, 6, 7 July) only.
    assert _run(dt.date(2026, 7, 7)).charges_approved == 0
    helene.refresh_from_db()
    assert helene.status == Invoice.Status.DUE
    settled = _run(dt.date(2026, 7, 8))
    assert settled.charges_approved == 1
    helene.refresh_from_db()
    assert (helene.status, helene.amount_paid) == (Invoice.Status.PAID, helene.amount)
    assert PaymentAttempt.objects.get(invoice=helene).status == PaymentAttempt.Status.APPROVED
    assert _run(dt.date(2026, 7, 9)).charges_approved == 0


def test_an_inactive_institutions_debits_are_settled_too(helene) -> None:
    _run(COLLECTION_DATE)
    helene.organization.is_active = False
    helene.organization.save(update_fields=["is_active"])
    assert _run(dt.date(2026, 7, 8)).charges_approved == 1
    helene.refresh_from_db()
    assert helene.status == Invoice.Status.PAID


@pytest.fixture
def marie(organization) -> Invoice:
    employer_make(organization)  # pay periods of 14 days from 1 January 2026
    contract = contract_make(
        organization,
        first_name="Marie",
        last_name="Tremblay",
        payment_method=PaymentMethodKind.PAYROLL,
    )
    payroll_method_record(subscription=contract, employee_number="48213", authorized=True, now=NOW)
    return invoice_make(contract, due=COLLECTION_DATE)


def test_a_deduction_is_paid_once_its_pay_period_is_over(marie) -> None:
    # 1 July is the last day of the period of 18 June to 1 July.
    sent = _run(COLLECTION_DATE)
    assert (sent.files_created, sent.charges_approved) == (1, 0)
    attempt = PaymentAttempt.objects.get(invoice=marie)
    assert (attempt.status, attempt.collection_file.collection_date) == (
        PaymentAttempt.Status.SENT,
        dt.date(2026, 6, 18),
    )
    marie.refresh_from_db()
    assert marie.status == Invoice.Status.DUE

    settled = _run(dt.date(2026, 7, 2))
    assert settled.charges_approved == 1
    marie.refresh_from_db()
    assert (marie.status, marie.amount_paid) == (Invoice.Status.PAID, marie.amount)
    assert _run(dt.date(2026, 7, 3)).charges_approved == 0
