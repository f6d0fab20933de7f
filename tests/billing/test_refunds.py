"""Refunds: a reason, never more than was paid, card refunds through the gateway once."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcauto.audit.models import AuditEvent
from parcauto.billing.errors import RefundNotAllowed, RefundTooLarge
from parcauto.billing.models import BillingPolicy, Invoice, Refund
from parcauto.billing.services.collect import invoice_collect
from parcauto.billing.services.invoices import invoice_first_create
from parcauto.billing.services.refunds import refund_create, refunds_for_early_end
from parcauto.billing.services.run import billing_run
from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.gateways.base import GatewayTimeout
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.models import PaymentAttempt, SandboxTransaction
from tests.billing.conftest import at, contract
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JULY_1 = dt.date(2026, 7, 1)
NOW = at(JULY_1)


def _paid_by_card(product, gateway) -> Invoice:
    subscription = contract(product, start=JULY_1)
    invoice = invoice_first_create(subscription=subscription, now=NOW)
    assert invoice is not None
    invoice_collect(invoice=invoice, now=NOW, gateway=gateway)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    return invoice


def _paid_by_debit(product) -> Invoice:
    subscription = contract(product, start=JULY_1, method=PaymentMethodKind.PAD)
    invoice = invoice_first_create(subscription=subscription, now=NOW)
    assert invoice is not None
    Invoice.objects.filter(pk=invoice.pk).update(
        status=Invoice.Status.PAID, amount_paid=invoice.amount, paid_at=NOW
    )
    invoice.refresh_from_db()
    return invoice


def test_a_card_refund_goes_back_through_the_gateway_with_its_own_attempt(product, gateway):
    invoice = _paid_by_card(product, gateway)
    staff = UserFactory()
    refund = refund_create(
        invoice=invoice,
        amount=Decimal("10.00"),
        reason="Erreur",
        actor=staff,
        now=NOW,
        gateway=gateway,
    )
    assert refund.status == Refund.Status.REFUNDED
    assert refund.created_by == staff
    attempt = PaymentAttempt.objects.get(kind=PaymentAttempt.Kind.REFUND)
    assert attempt.order_id == f"ref-{invoice.number}-1"
    assert attempt.status == PaymentAttempt.Status.APPROVED
    assert SandboxTransaction.objects.get(kind="refund").amount == Decimal("10.00")
    assert AuditEvent.objects.filter(action="invoice.refunded", actor=staff).exists()


def test_a_refund_needs_a_reason(product, gateway):
    invoice = _paid_by_card(product, gateway)
    with pytest.raises(RefundNotAllowed):
        refund_create(invoice=invoice, amount=Decimal("1.00"), reason="  ", actor=None, now=NOW)
    assert not Refund.objects.exists()


def test_a_refund_above_what_is_left_is_refused_and_changes_nothing(product, gateway):
    invoice = _paid_by_card(product, gateway)
    refund_create(
        invoice=invoice,
        amount=Decimal("40.00"),
        reason="Geste",
        actor=None,
        now=NOW,
        gateway=gateway,
    )
    with pytest.raises(RefundTooLarge) as refused:
        refund_create(
            invoice=invoice,
            amount=Decimal("5.01"),
            reason="Encore",
            actor=None,
            now=NOW,
            gateway=gateway,
        )
    assert refused.value.code == "refund_too_large"
    assert Refund.objects.count() == 1
    assert PaymentAttempt.objects.filter(kind=PaymentAttempt.Kind.REFUND).count() == 1
    assert SandboxTransaction.objects.filter(kind="refund").count() == 1


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=60, places=2, allow_nan=False),
        min_size=1,
        max_size=6,
    )
)
def test_refunds_never_exceed_what_was_paid(product, amounts):
    invoice = _paid_by_debit(product)
    for amount in amounts:
        with contextlib.suppress(RefundTooLarge):
            refund_create(
                invoice=invoice, amount=amount, reason="Remboursement", actor=None, now=NOW
            )
    refunded = sum(invoice.refunds.values_list("amount", flat=True), Decimal(0))
    assert refunded <= invoice.amount_paid


def test_a_debit_refund_is_a_credit_until_staff_pay_it(product):
    invoice = _paid_by_debit(product)
    refund = refund_create(
        invoice=invoice, amount=Decimal("5.00"), reason="Erreur", actor=None, now=NOW
    )
    assert refund.status == Refund.Status.PENDING
    assert not PaymentAttempt.objects.exists()


def test_an_early_end_refunds_the_unused_days_when_the_institution_does(product, gateway):
    invoice = _paid_by_card(product, gateway)  # July, 45,00 $
    refunds = refunds_for_early_end(
        subscription=invoice.subscription, stop_date=dt.date(2026, 7, 20), actor=None, now=NOW
    )
    # 11 of 31 days unused: 45,00 $ x 11 / 31 = 15,97 $.
    assert [refund.amount for refund in refunds] == [Decimal("15.97")]


def test_an_institution_that_refunds_no_rent_refunds_nothing(product, gateway):
    BillingPolicy.objects.create(organization=product.organization, refunds_unused_days=False)
    invoice = _paid_by_card(product, gateway)
    assert (
        refunds_for_early_end(
            subscription=invoice.subscription, stop_date=dt.date(2026, 7, 20), actor=None, now=NOW
        )
        == []
    )
    assert not Refund.objects.exists()


class RefundLost(SandboxGateway):
    """The refund request never reaches the gateway."""

    def refund(self, *, order_id, original, amount):
        raise GatewayTimeout("lost on the way")


def test_a_lost_card_refund_is_given_back_once_by_the_next_run(product, gateway):
    invoice = _paid_by_card(product, gateway)
    refund = refund_create(
        invoice=invoice,
        amount=Decimal("10.00"),
        reason="Erreur",
        actor=None,
        now=NOW,
        gateway=RefundLost(),
    )
    assert refund.status == Refund.Status.PENDING
    assert refund.attempt is not None
    assert refund.attempt.status == PaymentAttempt.Status.SENT
    assert not SandboxTransaction.objects.filter(kind="refund").exists()

    billing_run(run_date=dt.date(2026, 7, 2), now=at(dt.date(2026, 7, 2)), gateway=gateway)
    billing_run(run_date=dt.date(2026, 7, 3), now=at(dt.date(2026, 7, 3)), gateway=gateway)

    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED
    assert SandboxTransaction.objects.get(kind="refund").order_id == refund.attempt.order_id
