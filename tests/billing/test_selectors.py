"""The balance ("Solde") and the collection calendar ("CALENDRIER DE PERCEPTION")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcauto.billing.models import BillingPolicy, Invoice
from parcauto.billing.selectors import balance_for, billing_policy_for, collection_calendar_for
from parcauto.billing.services.collect import invoice_collect
from parcauto.billing.services.invoices import invoice_first_create
from parcauto.billing.services.refunds import refund_create
from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.gateways.simulator import Behaviour
from parcauto.subscriptions.models import Subscription
from tests.billing.conftest import at, contract

pytestmark = pytest.mark.django_db

JUNE_15 = dt.date(2026, 6, 15)


def test_an_institution_without_a_policy_gets_the_defaults(organization):
    policy = billing_policy_for(organization)
    assert policy.pk is None
    assert (policy.retry_after_days, policy.suspend_after_days, policy.cancel_after_days) == (
        "3,7",
        10,
        30,
    )
    assert policy.late_interest_monthly_rate == Decimal("1.5")
    BillingPolicy.objects.create(organization=organization, suspend_after_days=5)
    assert billing_policy_for(organization).suspend_after_days == 5


def test_the_balance_is_what_is_due_and_unpaid_less_credits(product, gateway):
    paid = contract(product, start=JUNE_15)
    invoice = invoice_first_create(subscription=paid, now=at(JUNE_15))
    assert invoice is not None
    assert balance_for(subscription=paid) == Decimal("24.00")  # due, not charged yet
    invoice_collect(invoice=invoice, now=at(JUNE_15), gateway=gateway)
    assert balance_for(subscription=paid) == Decimal("0.00")

    debit = contract(product, start=JUNE_15, method=PaymentMethodKind.PAD)
    owed = invoice_first_create(subscription=debit, now=at(JUNE_15))
    assert owed is not None
    Invoice.objects.filter(pk=owed.pk).update(status=Invoice.Status.PAID, amount_paid=owed.amount)
    refund_create(
        invoice=owed, amount=Decimal("4.00"), reason="Erreur", actor=None, now=at(JUNE_15)
    )
    assert balance_for(subscription=debit) == Decimal("-4.00")


def test_the_calendar_shows_the_invoices_then_the_charges_to_come(product, gateway):
    subscription = contract(product, start=JUNE_15, end=dt.date(2026, 9, 10))
    invoice = invoice_first_create(subscription=subscription, now=at(JUNE_15))
    assert invoice is not None
    invoice_collect(invoice=invoice, now=at(JUNE_15), gateway=gateway)

    lines = collection_calendar_for(subscription=subscription, horizon=dt.date(2026, 12, 31))

    assert [(line.due_on, line.amount, line.status) for line in lines] == [
        (JUNE_15, Decimal("24.00"), Invoice.Status.PAID),
        (dt.date(2026, 7, 1), Decimal("45.00"), Invoice.Status.SCHEDULED),
        (dt.date(2026, 8, 1), Decimal("45.00"), Invoice.Status.SCHEDULED),
        (dt.date(2026, 9, 1), Decimal("15.00"), Invoice.Status.SCHEDULED),  # 10 days of 30
    ]
    assert lines[0].invoice_number == invoice.number
    assert all(line.pre_tax + line.gst + line.qst == line.amount for line in lines)
    assert (lines[1].gst, lines[1].qst) == (Decimal("1.96"), Decimal("3.90"))


def test_a_cancelled_contract_has_nothing_to_come(product, gateway):
    subscription = contract(product, start=JUNE_15, behaviour=Behaviour.DECLINE_CHARGES)
    invoice = invoice_first_create(subscription=subscription, now=at(JUNE_15))
    assert invoice is not None
    invoice_collect(invoice=invoice, now=at(JUNE_15), gateway=gateway)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAYMENT_FAILED
    lines = collection_calendar_for(subscription=subscription, horizon=dt.date(2026, 12, 31))
    assert [line.status for line in lines] == [Invoice.Status.VOID]
