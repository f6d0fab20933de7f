"""From ENDING to ENDED: the daily job, the last period billed to the day (a final invoice,
or a credit for paid days after the end), the means of payment ended, the unit offered to
the next person waiting, and the final account e-mailed. The clock moves (time-machine)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from parcauto.billing.models import Invoice, Refund
from parcauto.billing.services.run import billing_run
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import LOCAL_TZ
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.models import PaymentMethod
from parcauto.servicedesk.closing import contract_close
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.services.cancellation import (
    cancellation_confirm,
    cancellation_request_send,
    cancellation_withdraw,
)
from parcauto.servicedesk.services.contract_end import contracts_end_due
from parcauto.subscriptions.models import Subscription, WaitingListEntry
from tests.billing.conftest import contract
from tests.factories import ProfileFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db
JULY_10 = dt.date(2026, 7, 10)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)


def cancelled(contract_, last_day, staff):
    request = cancellation_request_send(
        subscription=contract_, person=contract_.person, last_day=last_day, now=NOW
    )
    return cancellation_confirm(request=request, actor=staff, now=NOW)


def end_on(day: dt.date) -> int:
    """The daily job's run on `day`, with the clock there (the follow-up tasks read it)."""
    with time_machine.travel(at(day), tick=False):
        return contracts_end_due(now=at(day))


@pytest.fixture
def waiting(product) -> WaitingListEntry:
    """Someone waits for the sold-out permit."""
    return WaitingListEntry.objects.create(
        organization=product.organization,
        product=product,
        person=ProfileFactory().user,
        lot=product.lots.get(),
        category=product.categories.get(),
    )


def test_the_contract_runs_to_its_last_day_and_ends_the_day_after(
    active, product, agent, waiting, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        cancelled(active, JULY_10, agent)
    gateway = SandboxGateway()
    # 1 July: the run bills July to the 10th, 10 days of 31 at 62,00 $ a month: 20,00 $.
    billing_run(run_date=dt.date(2026, 7, 1), now=at(dt.date(2026, 7, 1), 3), gateway=gateway)
    final = Invoice.objects.get(subscription=active, period_start=dt.date(2026, 7, 1))
    assert (final.period_end, final.amount, final.status) == (JULY_10, Decimal("20.00"), "paid")

    assert end_on(JULY_10) == 0  # its last day: still ending
    active.refresh_from_db()
    assert active.status == Subscription.Status.ENDING

    with django_capture_on_commit_callbacks(execute=True):
        assert end_on(dt.date(2026, 7, 11)) == 1
    active.refresh_from_db()
    product.refresh_from_db()
    waiting.refresh_from_db()
    assert active.status == Subscription.Status.ENDED
    assert active.holds_unit is False
    # The unit went to the next person, reserved for them: still taken, not on sale.
    assert waiting.status == WaitingListEntry.Status.OFFERED
    assert product.units_taken == 1
    card = PaymentMethod.objects.get(subscription=active)
    assert (card.status, card.data_key, card.card_last4) == ("revoked", "", "")
    assert list(Invoice.objects.filter(subscription=active)) == [final]  # nothing after it
    (ended,) = [m for m in mail.outbox if m.to == [active.person.email]]
    assert "20,00" in ended.body
    assert [m for m in mail.outbox if m.to == [waiting.person.email]]  # the offer

    assert end_on(dt.date(2026, 7, 12)) == 0  # once


def test_an_end_inside_a_paid_month_credits_the_unused_days_once(
    product, agent, django_capture_on_commit_callbacks
):
    product.cancellation_notice_days = 5
    product.save()
    holder = contract(product, start=dt.date(2026, 4, 1))
    gateway = SandboxGateway()
    billing_run(run_date=dt.date(2026, 6, 1), now=at(dt.date(2026, 6, 1), 3), gateway=gateway)
    june = Invoice.objects.get(subscription=holder, period_start=dt.date(2026, 6, 1))
    assert (june.amount, june.status) == (Decimal("62.00"), "paid")
    with time_machine.travel(NOW, tick=False):
        cancelled(holder, dt.date(2026, 6, 20), agent)

    with django_capture_on_commit_callbacks(execute=True):
        end_on(dt.date(2026, 6, 21))
    # 10 unused days of June's 30 at 62,00 $: 20,67 $ back on the card.
    refund = Refund.objects.get(invoice=june)
    assert (refund.amount, refund.status) == (Decimal("20.67"), Refund.Status.REFUNDED)
    holder.refresh_from_db()
    assert contract_close(contract=holder, now=at(dt.date(2026, 6, 22))) is False
    assert Refund.objects.filter(invoice=june).count() == 1


def test_the_final_invoice_is_made_if_the_run_has_not_made_it(
    active, agent, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        cancelled(active, JULY_10, agent)
    with django_capture_on_commit_callbacks(execute=True):
        end_on(dt.date(2026, 7, 11))
    final = Invoice.objects.get(subscription=active, period_start=dt.date(2026, 7, 1))
    assert (final.period_end, final.amount) == (JULY_10, Decimal("20.00"))
    assert final.status == Invoice.Status.PAID  # charged before the card left the vault


def test_payroll_deduction_and_debit_are_revoked(
    product, agent, django_capture_on_commit_callbacks
):
    holder = contract(product, start=dt.date(2026, 4, 1), method=PaymentMethodKind.PAYROLL)
    method = PaymentMethod.objects.create(
        organization=product.organization,
        subscription=holder,
        person=holder.person,
        kind=PaymentMethodKind.PAYROLL,
        status=PaymentMethod.Status.ACTIVE,
        employee_number="E-1234",
        payroll_authorized_at=NOW,
    )
    with time_machine.travel(NOW, tick=False):
        cancelled(holder, JULY_10, agent)
    with django_capture_on_commit_callbacks(execute=True):
        end_on(dt.date(2026, 7, 11))
    method.refresh_from_db()
    assert method.status == PaymentMethod.Status.REVOKED
    assert method.employee_number == "E-1234"  # kept: the employer's records refer to it


def test_a_withdrawn_cancellation_never_ends_the_contract(active, agent):
    with time_machine.travel(NOW, tick=False):
        request = cancelled(active, JULY_10, agent)
        cancellation_withdraw(request=request, person=active.person, now=NOW)
    assert end_on(dt.date(2026, 7, 11)) == 0
    active.refresh_from_db()
    assert (active.status, active.end_date) == (Subscription.Status.ACTIVE, None)
    assert ServiceRequest.objects.get(pk=request.pk).contract_closed_at is None
