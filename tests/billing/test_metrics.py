"""Sales, card declines and the billing run's progress in /metrics, read from the database
at scrape time: every process and node gives the same figures."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.billing.models import BillingRun
from parcauto.billing.services.collect import invoice_collect
from parcauto.billing.services.invoices import invoice_first_create
from parcauto.payments.gateways.simulator import Behaviour
from parcauto.subscriptions.models import Subscription
from tests.billing.conftest import at, contract
from tests.metrics import sample, scrape
from tests.scoping import within

pytestmark = pytest.mark.django_db

JUNE_15 = dt.date(2026, 6, 15)


def test_sales_are_counted_per_institution(product, other_product, organization):
    submitted = [contract(product, start=JUNE_15) for _ in range(3)]
    contract(product, start=JUNE_15, status=Subscription.Status.DRAFT)  # not a sale yet
    Subscription.objects.filter(pk__in=[s.pk for s in submitted]).update(submitted_at=at(JUNE_15))
    other = contract(other_product, start=JUNE_15)
    with within(other.organization):
        Subscription.objects.filter(pk=other.pk).update(submitted_at=at(JUNE_15))

    samples = scrape()

    assert sample(samples, "parcauto_sales_total", organization="chus") == 3
    assert sample(samples, "parcauto_sales_total", organization=other.organization.slug) == 1


def test_card_declines_are_counted_per_institution(product, gateway):
    declining = contract(product, start=JUNE_15, behaviour=Behaviour.DECLINE_CHARGES)
    paying = contract(product, start=JUNE_15)
    for subscription in (declining, paying):
        invoice = invoice_first_create(subscription=subscription, now=at(JUNE_15))
        assert invoice is not None
        invoice_collect(invoice=invoice, now=at(JUNE_15), gateway=gateway)

    assert sample(scrape(), "parcauto_card_declines_total", organization="chus") == 1


def test_no_billing_run_yet_no_billing_metrics():
    assert not [name for name, _ in scrape() if name.startswith("parcauto_billing_run")]


def test_the_latest_billing_run_and_its_progress():
    BillingRun.objects.create(
        run_date=dt.date(2026, 6, 1),
        status=BillingRun.Status.FINISHED,
        started_at=at(dt.date(2026, 6, 1), 2),
        finished_at=at(dt.date(2026, 6, 1), 3),
        contracts_seen=99,
    )
    started = at(dt.date(2026, 7, 1), 2)
    BillingRun.objects.create(
        run_date=dt.date(2026, 7, 1),
        started_at=started,
        phase="cards",
        contracts_seen=1200,
        invoices_created=1100,
        charges_approved=640,
        charges_declined=12,
    )

    samples = scrape()

    info = {"run_date": "2026-07-01", "status": "running", "phase": "cards"}
    assert sample(samples, "parcauto_billing_run_info", **info) == 1
    assert sample(samples, "parcauto_billing_run_running") == 1
    assert sample(samples, "parcauto_billing_run_started_timestamp_seconds") == started.timestamp()
    assert sample(samples, "parcauto_billing_run_finished_timestamp_seconds") is None
    assert sample(samples, "parcauto_billing_run_items", item="contracts_seen") == 1200
    assert sample(samples, "parcauto_billing_run_items", item="invoices_created") == 1100
    assert sample(samples, "parcauto_billing_run_items", item="charges_approved") == 640
    assert sample(samples, "parcauto_billing_run_items", item="charges_declined") == 12
    assert sample(samples, "parcauto_billing_run_items", item="files_created") == 0
