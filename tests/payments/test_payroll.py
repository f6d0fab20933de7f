"""Payroll deduction: the written, revocable authorization and the file per pay period."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice
from parcauto.billing.services.collect_payroll import payroll_collect, payroll_settle_sent
from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.models import CollectionFile, PaymentAttempt, PaymentMethod
from parcauto.payments.payroll_files import PAYROLL_COLUMNS, pay_period
from parcauto.payments.services.payroll import (
    payroll_authorization_revoke,
    payroll_method_record,
)
from parcauto.subscriptions.errors import FieldErrors

from .conftest import NOW
from .factories import contract_make, employer_make, invoice_make

RUN_DATE = dt.date(2026, 6, 24)  # in the period of 18 June to 1 July


@pytest.fixture
def contract(organization):
    return contract_make(organization, payment_method=PaymentMethodKind.PAYROLL)


def test_the_authorization_is_recorded_with_its_time(contract) -> None:
    method = payroll_method_record(
        subscription=contract, employee_number=" 48213 ", authorized=True, now=NOW
    )
    assert method.kind == PaymentMethodKind.PAYROLL
    assert method.status == PaymentMethod.Status.ACTIVE
    assert method.employee_number == "48213"
    assert method.payroll_authorized_at == NOW


def test_the_contract_s_employee_number_is_the_default(contract) -> None:
    method = payroll_method_record(
        subscription=contract, employee_number="", authorized=True, now=NOW
    )
    assert method.employee_number == "E-1234"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"authorized": False}, "authorized"),
        ({"employee_number": "48 213"}, "employee_number"),
        ({"employee_number": "1" * 31}, "employee_number"),
        ({"employee_number": "-48213"}, "employee_number"),
    ],
)
def test_a_refused_authorization_keeps_nothing(contract, changes, field) -> None:
    values = {"employee_number": "48213", "authorized": True, **changes}
    with pytest.raises(FieldErrors) as refused:
        payroll_method_record(subscription=contract, now=NOW, **values)
    assert list(refused.value.errors) == [field]
    assert not PaymentMethod.objects.exists()


def test_without_any_employee_number_it_is_refused(contract) -> None:
    contract.employee_number = ""
    with pytest.raises(FieldErrors) as refused:
        payroll_method_record(subscription=contract, employee_number="", authorized=True, now=NOW)
    assert list(refused.value.errors) == ["employee_number"]


def test_a_category_without_payroll_refuses_it(contract) -> None:
    contract.category.accepts_payroll = False
    contract.category.save()
    with pytest.raises(FieldErrors) as refused:
        payroll_method_record(subscription=contract, employee_number="1", authorized=True, now=NOW)
    assert list(refused.value.errors) == ["payment_method"]
    assert not PaymentMethod.objects.exists()


def test_the_authorization_can_be_revoked_once(contract) -> None:
    method = payroll_method_record(
        subscription=contract, employee_number="48213", authorized=True, now=NOW
    )
    later = NOW + dt.timedelta(days=3)
    payroll_authorization_revoke(payment_method=method, actor=contract.person, now=later)
    payroll_authorization_revoke(payment_method=method, actor=contract.person, now=later)
    assert (method.status, method.revoked_at) == (PaymentMethod.Status.REVOKED, later)
    events = AuditEvent.objects.filter(action="payments.payroll_revoked")
    assert [event.actor_id for event in events] == [contract.person.pk]


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (dt.date(2026, 1, 1), (dt.date(2026, 1, 1), dt.date(2026, 1, 14))),
        (dt.date(2026, 1, 14), (dt.date(2026, 1, 1), dt.date(2026, 1, 14))),
        (dt.date(2026, 1, 15), (dt.date(2026, 1, 15), dt.date(2026, 1, 28))),
        (dt.date(2026, 7, 1), (dt.date(2026, 6, 18), dt.date(2026, 7, 1))),
        (dt.date(2025, 12, 31), (dt.date(2025, 12, 18), dt.date(2025, 12, 31))),
    ],
)
def test_pay_periods_are_14_days_from_the_anchor(day, period) -> None:
    assert pay_period(anchor=dt.date(2026, 1, 1), day=day) == period


def test_26_pay_periods_start_in_a_year() -> None:
    anchor = dt.date(2026, 1, 1)
    starts = {pay_period(anchor=anchor, day=anchor + dt.timedelta(days=n))[0] for n in range(364)}
    assert len(starts) == 26


@pytest.fixture
def employer_with_deductions(organization):
    employer_make(organization)
    contracts = []
    for first_name, number, price in (("Marie", "48213", "23.08"), ("Jean", "51007", "60.00")):
        contract = contract_make(
            organization,
            first_name=first_name,
            last_name="Tremblay",
            payment_method=PaymentMethodKind.PAYROLL,
            price=Decimal(price),
        )
        payroll_method_record(
            subscription=contract, employee_number=number, authorized=True, now=NOW
        )
        contracts.append(contract)
    return contracts


def _rows(collection: CollectionFile) -> list[list[str]]:
    with collection.file.open("rb") as stored:
        return list(csv.reader(io.StringIO(stored.read().decode("utf-8"))))


def test_the_period_file_lists_each_deduction_with_its_taxes(employer_with_deductions) -> None:
    marie, jean = employer_with_deductions
    first = invoice_make(marie, due=dt.date(2026, 6, 1))  # late: deducted now
    second = invoice_make(jean, due=dt.date(2026, 7, 1))  # the period's last day
    invoice_make(jean, due=dt.date(2026, 7, 2))  # the next period
    collection = payroll_collect(organization=marie.organization, run_date=RUN_DATE, now=NOW)
    assert collection is not None
    assert collection.kind == CollectionFile.Kind.PAYROLL
    assert collection.collection_date == dt.date(2026, 6, 18)
    assert (collection.record_count, collection.total_amount) == (2, Decimal("83.08"))
    assert collection.file.name.endswith(".csv")
    assert collection.file.name.startswith(f"private/collection/{marie.organization_id}/")
    assert "paie-CHUS01-20260618" in collection.file.name
    assert _rows(collection) == [
        list(PAYROLL_COLUMNS),
        [
            "48213",
            "Marie Tremblay",
            str(marie.contract_number),
            "23.08",
            "1.00",
            "2.00",
            "2026-06-18/2026-07-01",
        ],
        [
            "51007",
            "Jean Tremblay",
            str(jean.contract_number),
            "60.00",
            "2.61",
            "5.21",
            "2026-06-18/2026-07-01",
        ],
    ]
    assert (first.gst, first.qst, second.gst, second.qst) == (
        Decimal("1.00"),
        Decimal("2.00"),
        Decimal("2.61"),
        Decimal("5.21"),
    )
    attempts = PaymentAttempt.objects.order_by("amount")
    assert [(a.kind, a.status, a.order_id) for a in attempts] == [
        ("payroll", "sent", f"PAY{first.number}-1"),
        ("payroll", "sent", f"PAY{second.number}-1"),
    ]


def test_one_file_per_period_however_often_it_runs(employer_with_deductions) -> None:
    marie = employer_with_deductions[0]
    invoice_make(marie, due=dt.date(2026, 7, 1))
    first = payroll_collect(organization=marie.organization, run_date=RUN_DATE, now=NOW)
    invoice_make(marie, due=dt.date(2026, 6, 26))
    again = payroll_collect(organization=marie.organization, run_date=dt.date(2026, 7, 1), now=NOW)
    assert first is not None
    assert again is None
    assert list(CollectionFile.objects.all()) == [first]
    assert PaymentAttempt.objects.count() == 1


def test_a_revoked_authorization_is_not_deducted(employer_with_deductions) -> None:
    marie, jean = employer_with_deductions
    invoice_make(marie, due=dt.date(2026, 7, 1))
    invoice_make(jean, due=dt.date(2026, 7, 1))
    method = PaymentMethod.objects.get(subscription=jean)
    payroll_authorization_revoke(payment_method=method, actor=None, now=NOW)
    collection = payroll_collect(organization=marie.organization, run_date=RUN_DATE, now=NOW)
    assert collection is not None
    assert [row[0] for row in _rows(collection)[1:]] == ["48213"]


def test_without_employer_settings_or_deductions_no_file(organization) -> None:
    assert payroll_collect(organization=organization, run_date=RUN_DATE, now=NOW) is None
    employer_make(organization)
    assert payroll_collect(organization=organization, run_date=RUN_DATE, now=NOW) is None
    assert not CollectionFile.objects.exists()


def test_deductions_are_paid_once_their_period_is_over(employer_with_deductions) -> None:
    marie = employer_with_deductions[0]
    invoice = invoice_make(marie, due=dt.date(2026, 7, 1))
    payroll_collect(organization=marie.organization, run_date=RUN_DATE, now=NOW)
    organization = marie.organization
    assert payroll_settle_sent(organization=organization, as_of=dt.date(2026, 7, 1), now=NOW) == 0
    assert payroll_settle_sent(organization=organization, as_of=dt.date(2026, 7, 2), now=NOW) == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == (Invoice.Status.PAID, invoice.amount)
