"""Invoices: the first period at approval, one a month after, never two for a period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcauto.billing.models import Invoice
from parcauto.billing.services.invoices import invoice_first_create
from parcauto.catalog.models import PermitProduct
from parcauto.core.sequences import sequence_reserve
from parcauto.subscriptions.models import Subscription
from tests.billing.conftest import at, contract

pytestmark = pytest.mark.django_db

JUNE_15 = dt.date(2026, 6, 15)


def test_the_first_invoice_of_a_monthly_contract_is_the_rest_of_the_month(product):
    subscription = contract(product, start=JUNE_15)
    invoice = invoice_first_create(subscription=subscription, now=at(JUNE_15))
    assert invoice is not None
    assert (invoice.period_start, invoice.period_end) == (JUNE_15, dt.date(2026, 6, 30))
    # 45,00 $ x 16 / 30 = 24,00 $, taxes included.
    assert invoice.amount == Decimal("24.00")
    assert invoice.pre_tax + invoice.gst + invoice.qst == invoice.amount
    assert (invoice.gst, invoice.qst) == (Decimal("1.04"), Decimal("2.08"))
    assert invoice.status == Invoice.Status.DUE
    assert invoice.due_date == JUNE_15
    assert invoice.payment_method == "card"


def test_a_contract_approved_after_its_start_is_billed_from_the_approval_day(product):
    subscription = contract(product, start=dt.date(2026, 6, 1))
    invoice = invoice_first_create(subscription=subscription, now=at(dt.date(2026, 6, 21)))
    assert invoice is not None
    assert invoice.period_start == dt.date(2026, 6, 21)
    assert invoice.amount == Decimal("15.00")  # 10 days of 30


def test_a_later_start_is_billed_for_its_first_month_at_approval(product):
    subscription = contract(product, start=dt.date(2026, 7, 1), status=Subscription.Status.APPROVED)
    invoice = invoice_first_create(subscription=subscription, now=at(JUNE_15))
    assert invoice is not None
    assert (invoice.period_start, invoice.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    assert invoice.amount == Decimal("45.00")
    assert invoice.due_date == JUNE_15


def test_a_term_permit_is_billed_its_price_for_its_dates(product):
    subscription = contract(
        product,
        start=dt.date(2026, 8, 24),
        end=dt.date(2026, 12, 18),
        price=Decimal("180.00"),
        billing=PermitProduct.Billing.PER_TERM,
        status=Subscription.Status.APPROVED,
    )
    invoice = invoice_first_create(subscription=subscription, now=at(JUNE_15))
    assert invoice is not None
    assert (invoice.period_start, invoice.period_end) == (
        dt.date(2026, 8, 24),
        dt.date(2026, 12, 18),
    )
    assert invoice.amount == Decimal("180.00")


def test_the_first_invoice_is_created_once(product):
    subscription = contract(product, start=JUNE_15)
    first = invoice_first_create(subscription=subscription, now=at(JUNE_15))
    again = invoice_first_create(subscription=subscription, now=at(dt.date(2026, 6, 16)))
    assert first is not None and again is not None
    assert again.pk == first.pk
    assert Invoice.objects.count() == 1


def test_a_request_awaiting_approval_is_not_invoiced(product):
    subscription = contract(product, start=JUNE_15, status=Subscription.Status.SUBMITTED)
    assert invoice_first_create(subscription=subscription, now=at(JUNE_15)) is None
    assert not Invoice.objects.exists()


def test_invoice_numbers_follow_each_other(product):
    first = invoice_first_create(subscription=contract(product, start=JUNE_15), now=at(JUNE_15))
    second = invoice_first_create(subscription=contract(product, start=JUNE_15), now=at(JUNE_15))
    assert first is not None and second is not None
    assert second.number == first.number + 1


def test_a_batch_of_numbers_is_reserved_in_one_step():
    assert sequence_reserve(name="batch", count=3, start=10) == range(10, 13)
    assert sequence_reserve(name="batch", count=2, start=10) == range(13, 15)
    with pytest.raises(ValueError, match="at least one"):
        sequence_reserve(name="batch", count=0, start=10)
