"""The daily run: the month's invoices and charges once, retries, suspension, cancellation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import get_scope

from parcauto.audit.models import AuditEvent
from parcauto.billing.models import BillingPolicy, BillingRun, Invoice
from parcauto.billing.services import run as run_module
from parcauto.billing.services.collect import invoice_collect
from parcauto.billing.services.invoices import invoice_first_create
from parcauto.billing.services.run import billing_run
from parcauto.catalog.models import PaymentMethodKind
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.gateways.simulator import Behaviour
from parcauto.payments.models import PaymentAttempt, SandboxCard, SandboxTransaction
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import every_institution
from tests.billing.conftest import at, contract
from tests.billing.test_collect import LostRequests
from tests.scoping import unscoped, within_its_institution

pytestmark = pytest.mark.django_db

JUNE_15 = dt.date(2026, 6, 15)
JULY_1 = dt.date(2026, 7, 1)


def _paid_june(subscription: Subscription, gateway: SandboxGateway) -> None:
    invoice = invoice_first_create(subscription=subscription, now=at(JUNE_15))
    assert invoice is not None
    invoice_collect(invoice=invoice, now=at(JUNE_15), gateway=gateway)


@unscoped  # as the daily task runs it
def _run(day: dt.date, gateway=None, **kwargs) -> BillingRun:
    return billing_run(run_date=day, now=at(day, 3), gateway=gateway or SandboxGateway(), **kwargs)


@within_its_institution
def _july(subscription: Subscription) -> Invoice:
    return Invoice.objects.get(subscription=subscription, period_start=JULY_1)


def test_the_run_on_the_first_bills_and_charges_the_month_once(product, other_product, gateway):
    contracts = [contract(product, start=JUNE_15) for _ in range(3)]
    contracts.append(contract(other_product, start=dt.date(2026, 5, 1)))
    for subscription in contracts[:3]:
        _paid_june(subscription, gateway)
    charges_before = SandboxTransaction.objects.count()

    run = _run(JULY_1, chunk_size=2)

    assert run.status == BillingRun.Status.FINISHED
    assert (run.contracts_seen, run.invoices_created, run.charges_approved) == (4, 4, 4)
    for subscription in contracts:
        invoice = _july(subscription)
        assert invoice.status == Invoice.Status.PAID
        assert invoice.period_end == dt.date(2026, 7, 31)
        assert invoice.amount == subscription.price
        assert invoice.due_date == JULY_1
    assert SandboxTransaction.objects.count() == charges_before + 4
    with every_institution(reason="the run charged both institutions"):
        recurring = list(PaymentAttempt.objects.filter(invoice__period_start=JULY_1))
    assert {a.order_id for a in recurring} == {f"inv-{_july(s).number}-1" for s in contracts}

    again = _run(JULY_1)
    assert (again.contracts_seen, again.invoices_created) == (4, 0)
    assert (again.charges_approved, again.charges_declined) == (0, 0)
    assert SandboxTransaction.objects.count() == charges_before + 4
    with every_institution(reason="the run billed both institutions"):
        assert Invoice.objects.filter(period_start=JULY_1).count() == 4


def test_a_contract_s_first_charge_is_cardholder_initiated_the_next_ones_recurring(product):
    seen: list = []

    class Recording(SandboxGateway):
        def purchase_many(self, charges):
            seen.extend(charges)
            return super().purchase_many(charges)

    # Its June invoice left unpaid by the approval task: the run charges it with July's.
    newcomer = contract(product, start=JUNE_15)
    invoice_first_create(subscription=newcomer, now=at(JUNE_15))
    regular = contract(product, start=JUNE_15)
    _paid_june(regular, SandboxGateway())

    _run(JULY_1, Recording(), chunk_size=2)

    june = within_its_institution(
        lambda s: Invoice.objects.get(subscription=s, period_start=JUNE_15)
    )
    assert {charge.order_id: charge.recurring for charge in seen} == {
        f"inv-{june(newcomer).number}-1": False,
        f"inv-{_july(newcomer).number}-1": True,
        f"inv-{_july(regular).number}-1": True,
    }


def test_each_step_works_for_one_institution_at_a_time_in_its_scope(
    product, other_product, gateway, monkeypatch
):
    steps = ["_settle", "_invoice", "_charge", "interest_step", "overdue_step", "files_step"]
    seen: list[tuple[str, Organization, object]] = []
    for name in steps:
        step = getattr(run_module, name)

        def spy(run, organization, *, _name=name, _step=step, **kwargs):
            seen.append((_name, organization, get_scope().get("organization")))
            return _step(run, organization, **kwargs)

        monkeypatch.setattr(run_module, name, spy)

    _run(JULY_1, gateway)

    institutions = sorted([product.organization, other_product.organization], key=lambda o: o.pk)
    # One institution's part after the other's (the daily task queues them side by side).
    assert seen == [(name, each, each) for each in institutions for name in steps]


def test_what_the_run_leaves_alone(product, gateway):
    later = contract(product, start=dt.date(2026, 7, 10), status=Subscription.Status.APPROVED)
    ended = contract(product, start=dt.date(2026, 5, 1), end=dt.date(2026, 6, 30))
    pending = contract(product, start=JUNE_15, status=Subscription.Status.SUBMITTED)
    cancelled = contract(product, start=JUNE_15, status=Subscription.Status.CANCELLED)
    pad = contract(product, start=JUNE_15, method=PaymentMethodKind.PAD)

    run = _run(JULY_1, gateway)

    assert run.invoices_created == 1
    assert not Invoice.objects.filter(subscription__in=[later, ended, pending, cancelled]).exists()
    # Pre-authorized debits are invoiced here and collected by the CPA-005 file.
    assert _july(pad).status == Invoice.Status.DUE
    assert not PaymentAttempt.objects.exists()


def test_a_contract_ending_mid_month_pays_its_days(product, gateway):
    subscription = contract(product, start=JUNE_15, end=dt.date(2026, 7, 10))
    _run(JULY_1, gateway)
    invoice = _july(subscription)
    assert invoice.period_end == dt.date(2026, 7, 10)
    assert invoice.amount == Decimal("14.52")  # 45,00 $ x 10 / 31


def test_a_charge_left_in_flight_is_settled_by_the_next_run_with_the_same_order_id(product):
    subscription = contract(product, start=JUNE_15)
    first = _run(JULY_1, LostRequests(lost=1))
    assert first.charges_approved == 0
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentAttempt.Status.SENT

    second = _run(JULY_1)
    assert second.charges_approved == 1
    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.APPROVED
    assert PaymentAttempt.objects.count() == 1
    assert SandboxTransaction.objects.get().order_id == attempt.order_id
    assert _july(subscription).status == Invoice.Status.PAID


def _declining(product, gateway) -> Subscription:
    subscription = contract(product, start=JUNE_15)
    _paid_june(subscription, gateway)
    SandboxCard.objects.filter(token=subscription.payment_methods.get().data_key).update(
        behaviour=Behaviour.DECLINE_CHARGES
    )
    return subscription


def test_a_declined_monthly_charge_is_retried_on_the_policy_schedule(
    product, gateway, django_capture_on_commit_callbacks
):
    subscription = _declining(product, gateway)
    with django_capture_on_commit_callbacks(execute=True):
        run = _run(JULY_1, gateway)
    assert run.charges_declined == 1
    invoice = _july(subscription)
    assert invoice.status == Invoice.Status.FAILED
    assert (invoice.failed_attempts, invoice.next_attempt_on) == (1, dt.date(2026, 7, 4))
    email = OutboundEmail.objects.get(template="billing_payment_failed")
    assert "4 juillet 2026" in email.body_text

    _run(dt.date(2026, 7, 3), gateway)
    assert PaymentAttempt.objects.filter(invoice=invoice).count() == 1  # not yet

    with django_capture_on_commit_callbacks(execute=True):
        _run(dt.date(2026, 7, 4), gateway)
    invoice.refresh_from_db()
    assert (invoice.failed_attempts, invoice.next_attempt_on) == (2, dt.date(2026, 7, 8))
    assert PaymentAttempt.objects.filter(order_id=f"inv-{invoice.number}-2").exists()
    assert OutboundEmail.objects.filter(template="billing_payment_failed").count() == 2

    _run(dt.date(2026, 7, 8), gateway)
    invoice.refresh_from_db()
    assert (invoice.failed_attempts, invoice.next_attempt_on) == (3, None)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE  # a monthly refusal cancels nothing


def test_a_retry_with_a_card_that_works_again_pays(product, gateway):
    subscription = _declining(product, gateway)
    _run(JULY_1, gateway)
    SandboxCard.objects.update(behaviour=Behaviour.APPROVE)
    _run(dt.date(2026, 7, 4), gateway)
    invoice = _july(subscription)
    assert invoice.status == Invoice.Status.PAID
    assert invoice.failed_attempts == 1


def test_unpaid_the_access_is_suspended_then_the_contract_cancelled(
    product, gateway, django_capture_on_commit_callbacks
):
    BillingPolicy.objects.create(
        organization=product.organization, suspend_after_days=10, cancel_after_days=30
    )
    subscription = _declining(product, gateway)
    taken = product.units_taken
    for day in (JULY_1, dt.date(2026, 7, 4), dt.date(2026, 7, 8), dt.date(2026, 7, 10)):
        _run(day, gateway)
    assert _july(subscription).suspended_at is None

    with django_capture_on_commit_callbacks(execute=True):
        run = _run(dt.date(2026, 7, 11), gateway)
    assert run.suspended == 1
    assert _july(subscription).suspended_at == at(dt.date(2026, 7, 11), 3)
    assert AuditEvent.objects.filter(action="subscription.suspended_for_nonpayment").count() == 1
    assert OutboundEmail.objects.filter(template="billing_suspended").count() == 1
    assert _run(dt.date(2026, 7, 12), gateway).suspended == 0  # once

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.SUSPENDED  # the contract too
    _run(dt.date(2026, 7, 30), gateway)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.SUSPENDED
    with django_capture_on_commit_callbacks(execute=True):
        run = _run(dt.date(2026, 7, 31), gateway)
    assert run.cancelled == 1
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAYMENT_FAILED
    assert not subscription.holds_unit
    product.refresh_from_db()
    assert product.units_taken == taken - 1
    assert OutboundEmail.objects.filter(template="billing_cancelled").count() == 1
    # Cancelled, it is billed no more.
    assert _run(dt.date(2026, 8, 1), gateway).invoices_created == 0


def test_late_interest_is_charged_on_what_stayed_unpaid_a_whole_month(product, gateway):
    BillingPolicy.objects.create(
        organization=product.organization, suspend_after_days=60, cancel_after_days=90
    )
    subscription = _declining(product, gateway)
    _run(JULY_1, gateway)
    run = _run(dt.date(2026, 8, 1), gateway)
    assert run.interest_invoices == 1
    interest = Invoice.objects.get(subscription=subscription, kind=Invoice.Kind.INTEREST)
    # 1,5 % of the unpaid July (45,00 $) = 0,675 -> 0,68 $, no tax on interest.
    assert interest.amount == Decimal("0.68")
    assert (interest.gst, interest.qst, interest.pre_tax) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.68"),
    )
    assert _run(dt.date(2026, 8, 2), gateway).interest_invoices == 0
