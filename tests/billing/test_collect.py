"""The first charge: exactly once, whatever the gateway does; a refusal cancels the contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice
from parcauto.billing.services.collect import Sent, attempts_record, invoice_collect
from parcauto.billing.services.invoices import invoice_first_create
from parcauto.billing.tasks import collect_first_invoice
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.gateways.base import Charge, ChargeResult, GatewayError, GatewayTimeout
from parcauto.payments.gateways.sandbox import SandboxGateway, sandbox_card_tokenize
from parcauto.payments.gateways.simulator import Behaviour
from parcauto.payments.models import (
    PaymentAttempt,
    PaymentMethod,
    SandboxCard,
    SandboxTransaction,
)
from parcauto.subscriptions.models import Subscription
from tests.billing.conftest import at, contract
from tests.scoping import worker_call

pytestmark = pytest.mark.django_db

JUNE_15 = dt.date(2026, 6, 15)
JULY_1 = dt.date(2026, 7, 1)
NOW = at(JUNE_15)


class LostRequests(SandboxGateway):
    """The first `lost` charges never reach the gateway: the caller only sees a timeout."""

    def __init__(self, lost: int) -> None:
        self.lost = lost

    def purchase_many(self, charges):
        outcomes: list[ChargeResult | GatewayError] = []
        for charge in charges:
            if self.lost > 0:
                self.lost -= 1
                outcomes.append(GatewayTimeout("lost on the way"))
            else:
                outcomes.extend(super().purchase_many([charge]))
        return outcomes


def _first_invoice(subscription: Subscription) -> Invoice:
    invoice = invoice_first_create(subscription=subscription, now=NOW)
    assert invoice is not None
    return invoice


def _charges_of(subscription: Subscription) -> int:
    key = subscription.payment_methods.get().data_key
    return SandboxTransaction.objects.filter(data_key=key, kind="purchase").count()


def test_an_approved_first_charge_pays_the_invoice(product, gateway):
    subscription = contract(product, start=JUNE_15)
    invoice = _first_invoice(subscription)
    attempt = invoice_collect(invoice=invoice, now=NOW, gateway=gateway)
    assert attempt is not None
    assert attempt.order_id == f"inv-{invoice.number}-1"
    assert attempt.status == PaymentAttempt.Status.APPROVED
    assert attempt.amount == Decimal("24.00")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.amount_paid == invoice.amount
    assert _charges_of(subscription) == 1


def test_collecting_again_charges_nothing(product, gateway):
    subscription = contract(product, start=JUNE_15)
    invoice = _first_invoice(subscription)
    invoice_collect(invoice=invoice, now=NOW, gateway=gateway)
    assert invoice_collect(invoice=invoice, now=NOW, gateway=gateway) is None
    assert PaymentAttempt.objects.count() == 1
    assert _charges_of(subscription) == 1


def test_a_timeout_after_the_charge_is_settled_by_asking_the_gateway(product, gateway):
    subscription = contract(product, start=JUNE_15, behaviour=Behaviour.TIMEOUT)
    invoice = _first_invoice(subscription)
    attempt = invoice_collect(invoice=invoice, now=NOW, gateway=gateway)
    assert attempt is not None
    assert attempt.status == PaymentAttempt.Status.APPROVED
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice_collect(invoice=invoice, now=NOW, gateway=gateway) is None
    assert _charges_of(subscription) == 1


def test_a_lost_request_is_sent_again_with_the_same_order_id_and_charged_once(product):
    subscription = contract(product, start=JUNE_15)
    invoice = _first_invoice(subscription)
    attempt = invoice_collect(invoice=invoice, now=NOW, gateway=LostRequests(lost=1))
    assert attempt is not None
    assert attempt.status == PaymentAttempt.Status.SENT  # outcome unknown: nothing recorded
    assert _charges_of(subscription) == 0

    retried = invoice_collect(invoice=invoice, now=NOW, gateway=SandboxGateway())
    assert retried is not None
    assert retried.pk == attempt.pk
    assert retried.status == PaymentAttempt.Status.APPROVED
    assert PaymentAttempt.objects.count() == 1
    assert SandboxTransaction.objects.get().order_id == attempt.order_id
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_a_declined_first_charge_cancels_the_contract_and_frees_its_unit(
    product, gateway, django_capture_on_commit_callbacks
):
    subscription = contract(product, start=JUNE_15, behaviour=Behaviour.DECLINE_CHARGES)
    taken = product.units_taken
    invoice = _first_invoice(subscription)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = invoice_collect(invoice=invoice, now=NOW, gateway=gateway)
    assert attempt is not None
    assert attempt.status == PaymentAttempt.Status.DECLINED
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAYMENT_FAILED
    assert subscription.cancelled_at == NOW
    assert not subscription.holds_unit
    product.refresh_from_db()
    assert product.units_taken == taken - 1
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID
    assert AuditEvent.objects.filter(
        action="subscription.payment_declined", target_id=str(subscription.pk)
    ).exists()
    email = OutboundEmail.objects.get(template="billing_payment_declined")
    assert email.to == subscription.person.email
    assert "automatiquement annulé" in email.body_text
    assert "Forfait Occasionnel" in email.body_text
    # The declined card leaves the vault: nothing more will be charged to it.
    method = PaymentMethod.objects.get(subscription=subscription)
    assert method.status == PaymentMethod.Status.REVOKED
    assert not method.data_key
    assert not SandboxCard.objects.filter(permanent=True).exists()


def test_the_task_after_approval_invoices_and_charges_once(product, settings):
    settings.PAYMENTS_GATEWAY = "parcauto.payments.gateways.sandbox.SandboxGateway.from_settings"
    subscription = contract(product, start=dt.date(2026, 1, 1))
    for _ in range(2):
        worker_call(
            collect_first_invoice,
            organization_id=subscription.organization_id,
            subscription_id=subscription.pk,
        )
    invoice = Invoice.objects.get(subscription=subscription)
    assert invoice.status == Invoice.Status.PAID
    assert _charges_of(subscription) == 1


def test_the_first_charge_is_cardholder_initiated(product):
    seen: list[Charge] = []

    class Recording(SandboxGateway):
        def purchase_many(self, charges):
            seen.extend(charges)
            return super().purchase_many(charges)

    subscription = contract(product, start=JUNE_15)
    invoice_collect(invoice=_first_invoice(subscription), now=NOW, gateway=Recording())
    assert [charge.recurring for charge in seen] == [False]
    assert seen[0].issuer_id == "123456789012345"


def _pending_card(subscription: Subscription, number: str) -> None:
    """The card as the payment step leaves it: a temporary token, not yet in the vault."""
    method = subscription.payment_methods.get()
    token = sandbox_card_tokenize(number=number, expiry="3012").token  # valid 15 min from now
    PaymentMethod.objects.filter(pk=method.pk).update(
        status=PaymentMethod.Status.PENDING, data_key="", temporary_token=token
    )


def test_a_card_still_being_verified_is_stored_then_charged(product, gateway, settings):
    settings.PAYMENTS_GATEWAY = "parcauto.payments.gateways.sandbox.SandboxGateway.from_settings"
    subscription = contract(product, start=JUNE_15)
    _pending_card(subscription, "4242424242424242")
    attempt = invoice_collect(invoice=_first_invoice(subscription), now=NOW, gateway=gateway)
    assert attempt is not None
    assert attempt.status == PaymentAttempt.Status.APPROVED
    method = subscription.payment_methods.get()
    assert method.status == PaymentMethod.Status.ACTIVE
    assert attempt.payment_method_id == method.pk


def test_a_card_the_vault_refuses_cancels_the_contract_without_a_charge(product, gateway, settings):
    settings.PAYMENTS_GATEWAY = "parcauto.payments.gateways.sandbox.SandboxGateway.from_settings"
    subscription = contract(product, start=JUNE_15)
    _pending_card(subscription, "4000000000000002")
    invoice = _first_invoice(subscription)
    assert invoice_collect(invoice=invoice, now=NOW, gateway=gateway) is None
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAYMENT_FAILED
    assert not PaymentAttempt.objects.exists()
    assert not SandboxTransaction.objects.exists()


def test_an_answer_recorded_twice_counts_once(product, gateway):
    subscription = contract(product, start=JULY_1)
    invoice = invoice_first_create(subscription=subscription, now=at(JULY_1))
    assert invoice is not None
    later = Invoice.objects.create(
        organization=invoice.organization,
        number=invoice.number + 1,
        subscription=subscription,
        period_start=dt.date(2026, 8, 1),
        period_end=dt.date(2026, 8, 31),
        due_date=dt.date(2026, 8, 1),
        payment_method="card",
        amount=Decimal("45.05"),  # x.05: the simulator declines it
        pre_tax=Decimal("39.18"),
        gst=Decimal("1.96"),
        qst=Decimal("3.91"),
        status=Invoice.Status.DUE,
    )
    attempt = PaymentAttempt.objects.create(
        organization=invoice.organization,
        order_id=f"inv-{later.number}-1",
        kind=PaymentAttempt.Kind.PURCHASE,
        invoice=later,
        payment_method=subscription.payment_methods.get(),
        amount=later.amount,
    )
    item = Sent(attempt, Charge(attempt.order_id, attempt.payment_method.data_key, later.amount))
    result = gateway.purchase(item.charge)
    assert not result.approved

    first = attempts_record(outcomes=[(item, result)], now=at(dt.date(2026, 8, 1)))
    again = attempts_record(outcomes=[(item, result)], now=at(dt.date(2026, 8, 1)))

    assert (first.declined, again.declined) == (1, 0)
    later.refresh_from_db()
    assert later.failed_attempts == 1
    assert later.status == Invoice.Status.FAILED
