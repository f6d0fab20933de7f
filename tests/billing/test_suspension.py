"""The dunning suspends the contract itself (its pass says "Suspendu", its grants stop
opening), a payment of what suspended it gives everything back, and a contract still
unpaid after the policy's delay is cancelled with its pass voided. Clock moved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from parcauto.access.models import AccessGrant, AccessPass
from parcauto.access.services import access_sync
from parcauto.audit.models import AuditEvent
from parcauto.billing.models import BillingPolicy, Invoice
from parcauto.billing.services.nonpayment import subscriptions_reactivate_paid
from parcauto.billing.services.run import billing_run
from parcauto.billing.tasks import collect_overdue_invoices
from parcauto.payments.gateways.simulator import Behaviour
from parcauto.payments.models import SandboxCard
from parcauto.subscriptions.models import Subscription
from tests.billing.conftest import at, contract
from tests.billing.test_run import JULY_1, JUNE_15, _declining
from tests.scoping import unscoped, worker_call

pytestmark = pytest.mark.django_db

Status = Subscription.Status


@unscoped
def _run(day: dt.date, gateway) -> None:
    with time_machine.travel(at(day, 3), tick=False):
        billing_run(run_date=day, now=at(day, 3), gateway=gateway)


def _states(subscription) -> tuple[str, str, set[str]]:
    subscription.refresh_from_db()
    access_pass = AccessPass.objects.get(subscription=subscription)
    grants = set(
        AccessGrant.objects.filter(subscription=subscription).values_list("state", flat=True)
    )
    return subscription.status, access_pass.state, grants


@pytest.fixture
def suspended(product, gateway, django_capture_on_commit_callbacks) -> Subscription:
    """A contract whose July charge stays declined: suspended by the run of July 11."""
    BillingPolicy.objects.create(
        organization=product.organization, suspend_after_days=10, cancel_after_days=30
    )
    subscription = _declining(product, gateway)
    access_sync(subscription=subscription, now=at(JUNE_15))
    for day in (JULY_1, dt.date(2026, 7, 4), dt.date(2026, 7, 8), dt.date(2026, 7, 10)):
        _run(day, gateway)
    assert _states(subscription)[0] == Status.ACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        _run(dt.date(2026, 7, 11), gateway)
    return subscription


def test_the_dunning_suspends_the_contract_and_its_pass(suspended):
    assert _states(suspended) == (
        Status.SUSPENDED,
        AccessPass.State.SUSPENDED,
        {AccessGrant.State.SUSPENDED},
    )
    assert suspended.suspended_at == at(dt.date(2026, 7, 11), 3)
    event = AuditEvent.objects.get(action="subscription.suspended")
    assert event.data["previous_status"] == Status.ACTIVE
    assert event.data["invoice"] == Invoice.objects.get(period_start=JULY_1).number


def test_paying_the_overdue_invoice_reactivates_the_contract_and_its_pass(
    suspended, django_capture_on_commit_callbacks
):
    SandboxCard.objects.update(behaviour=Behaviour.APPROVE)  # "Mettre à jour la carte"
    with (
        time_machine.travel(at(dt.date(2026, 7, 15)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        paid = worker_call(
            collect_overdue_invoices,
            organization_id=suspended.organization_id,
            subscription_id=suspended.pk,
        )
    assert paid == 1
    assert _states(suspended) == (Status.ACTIVE, AccessPass.State.ACTIVE, {AccessGrant.State.VALID})
    assert suspended.suspended_at is None
    assert AuditEvent.objects.filter(action="subscription.reactivated").count() == 1


def test_a_suspended_contract_still_unpaid_is_cancelled_and_its_pass_voided(
    suspended, gateway, django_capture_on_commit_callbacks
):
    _run(dt.date(2026, 7, 20), gateway)
    assert _states(suspended)[0] == Status.SUSPENDED  # still billed, still suspended
    with django_capture_on_commit_callbacks(execute=True):
        _run(dt.date(2026, 7, 31), gateway)
    assert _states(suspended) == (
        Status.PAYMENT_FAILED,
        AccessPass.State.VOIDED,
        {AccessGrant.State.CANCELLED},
    )


def test_a_payment_reactivates_only_once_every_suspending_invoice_is_paid(
    product, django_capture_on_commit_callbacks
):
    subscription = contract(product, start=dt.date(2026, 9, 1), status=Status.SUSPENDED)
    invoices = [
        Invoice.objects.create(
            organization=product.organization,
            number=9_000_000 + n,
            subscription=subscription,
            period_start=day,
            due_date=day,
            payment_method="card",
            amount="45.00",
            pre_tax="39.14",
            gst="1.96",
            qst="3.90",
            status=Invoice.Status.FAILED,
            suspended_at=at(day),
        )
        for n, day in enumerate((JULY_1, dt.date(2026, 8, 1)))
    ]
    Invoice.objects.filter(pk=invoices[0].pk).update(status=Invoice.Status.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        assert subscriptions_reactivate_paid(invoice_ids=[invoices[0].pk], now=at(JULY_1)) == 0
    Invoice.objects.filter(pk=invoices[1].pk).update(status=Invoice.Status.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        assert subscriptions_reactivate_paid(invoice_ids=[invoices[1].pk], now=at(JULY_1)) == 1
    subscription.refresh_from_db()
    # Its first day has not come: approved again, the daily activation takes it on.
    assert subscription.status == Status.APPROVED


def test_a_suspended_contract_is_still_billed(product, gateway):
    subscription = contract(product, start=JUNE_15, status=Status.SUSPENDED)
    _run(JULY_1, gateway)
    assert Invoice.objects.filter(subscription=subscription, period_start=JULY_1).exists()
