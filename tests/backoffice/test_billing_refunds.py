"""Refunds from an invoice's page: amount and reason, a confirmation, then the service.

`billing.services.refunds.refund_create` gives the money back and audits it; the page
asks for a reason, caps the amount at what was paid less what was already refunded, and
asks to confirm before anything happens.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.contrib.messages import get_messages

from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice, Refund
from parcauto.payments.gateways import sandbox, simulator
from parcauto.payments.models import PaymentAttempt, SandboxTransaction
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.test_billing_pages import (
    BILLING,
    NOW,  # noqa: F401 - frozen_now stops the clock there for every test here
    attempt_on,
    contract,
    invoice_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def paid(organization) -> Invoice:
    """A card invoice of 114,98 $ paid through the sandbox gateway."""
    invoice = invoice_for(contract(organization))
    charge = attempt_on(invoice, status=PaymentAttempt.Status.APPROVED, message="APPROVED")
    SandboxTransaction.objects.create(
        order_id=charge.order_id,
        data_key="sandbox-key",
        kind=sandbox.PURCHASE,
        amount=invoice.amount,
        response_code=simulator.APPROVED.response_code,
        reference="ref-1",
    )
    return invoice


def refund_url(invoice: Invoice) -> str:
    return f"{BILLING}factures/{invoice.pk}/rembourser/"


def state() -> tuple[list[dict[str, Any]], ...]:
    return snapshot(Refund), snapshot(PaymentAttempt), snapshot(AuditEvent), snapshot(Invoice)


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_manager_confirms_then_the_card_is_refunded(manager, paid):
    client = signed_in(manager)
    before = state()
    asked = client.post(refund_url(paid), {"amount": "20,50", "reason": "Stationnement fermé"})
    assert asked.status_code == 200
    assert asked.templates[0].name == "backoffice/billing/refund_confirm.html"
    page = asked.content.decode()
    assert f"Rembourser 20,50\u00a0$ sur la facture {paid.number}\u00a0?" in page
    assert '<input type="hidden" name="amount" value="20,50"' in page
    assert '<input type="hidden" name="reason" value="Stationnement fermé"' in page
    assert state() == before  # nothing happens before the confirmation
    done = client.post(
        refund_url(paid), {"amount": "20,50", "reason": "Stationnement fermé", "confirm": "1"}
    )
    assert done.status_code == 302
    assert done.url == f"{BILLING}factures/{paid.pk}/"
    refund = Refund.objects.get()
    assert (refund.invoice, refund.amount, refund.reason, refund.status, refund.created_by) == (
        paid,
        D("20.50"),
        "Stationnement fermé",
        Refund.Status.REFUNDED,
        manager,
    )
    assert flashed(done) == [
        f"Remboursement de 20,50\u00a0$ sur la facture {paid.number} effectué."
    ]
    created = AuditEvent.objects.get(action="invoice.refund_created")
    assert (created.actor, created.data["reason"]) == (manager, "Stationnement fermé")
    assert AuditEvent.objects.filter(action="invoice.refunded").count() == 1


def test_the_invoice_page_lists_the_refund_and_what_is_left(manager, paid):
    client = signed_in(manager)
    client.post(refund_url(paid), {"amount": "14,98", "reason": "Erreur", "confirm": "1"})
    response = client.get(f"{BILLING}factures/{paid.pk}/")
    assert response.context["refundable"] == D("100.00")
    page = response.content.decode()
    assert "14,98\u00a0$" in page and "Erreur" in page
    assert "100,00\u00a0$" in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_the_reason_is_mandatory(manager, paid, reason):
    before = state()
    response = signed_in(manager).post(
        refund_url(paid), {"amount": "10,00", "reason": reason, "confirm": "1"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Indiquez la raison du remboursement."]
    assert state() == before


@pytest.mark.parametrize("amount", ["114,99", "1000"])
def test_the_amount_is_capped_at_what_was_paid(manager, paid, amount):
    before = state()
    response = signed_in(manager).post(
        refund_url(paid), {"amount": amount, "reason": "Trop", "confirm": "1"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [
        "Au plus 114,98\u00a0$ peut encore être remboursé sur cette facture."
    ]
    assert state() == before


def test_the_cap_counts_what_was_already_refunded(manager, paid):
    client = signed_in(manager)
    client.post(refund_url(paid), {"amount": "100", "reason": "Partiel", "confirm": "1"})
    before = state()
    response = client.post(refund_url(paid), {"amount": "15,00", "reason": "Reste", "confirm": "1"})
    assert response.status_code == 400
    assert "Au plus 14,98\u00a0$" in response.context["form"].errors["amount"][0]
    assert state() == before


@pytest.mark.parametrize("amount", ["0", "-5", "1,234", "abc"])
def test_a_nonsense_amount_is_refused(manager, paid, amount):
    before = state()
    response = signed_in(manager).post(
        refund_url(paid), {"amount": amount, "reason": "Test", "confirm": "1"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    assert state() == before


def test_when_the_service_refuses_the_page_says_why_and_nothing_changes(manager, paid, monkeypatch):
    # As if another refund went through between the form's check and the service's.
    monkeypatch.setattr(
        "parcauto.backoffice.views.billing_invoices.refundable", lambda invoice: D("500")
    )
    before = state()
    response = signed_in(manager).post(
        refund_url(paid), {"amount": "200", "reason": "Double", "confirm": "1"}
    )
    assert response.status_code == 302
    assert flashed(response) == [
        "Un remboursement ne peut dépasser le montant payé moins ce qui a déjà été remboursé."
    ]
    assert state() == before


def test_a_debit_refund_is_recorded_to_be_given_back_outside_the_gateway(manager, organization):
    invoice = invoice_for(contract(organization))
    Invoice.objects.filter(pk=invoice.pk).update(payment_method="pad")
    response = signed_in(manager).post(
        refund_url(invoice), {"amount": "5", "reason": "Crédit", "confirm": "1"}
    )
    assert Refund.objects.get().status == Refund.Status.PENDING
    assert not PaymentAttempt.objects.filter(kind=PaymentAttempt.Kind.REFUND).exists()
    assert flashed(response) == [
        f"Remboursement de 5,00\u00a0$ sur la facture {invoice.number} enregistré; "
        "il n'est pas encore confirmé."
    ]


def test_nothing_paid_means_no_refund_form(manager, organization):
    invoice = invoice_for(contract(organization), status=Invoice.Status.FAILED)
    response = signed_in(manager).get(f"{BILLING}factures/{invoice.pk}/")
    assert response.context["may_refund"] is False
    assert "rembourser/" not in response.content.decode()


def test_a_refund_the_gateway_declines_is_said_so(manager, paid):
    # The gateway knows a smaller charge than the invoice says: it declines the refund.
    SandboxTransaction.objects.filter(kind=sandbox.PURCHASE).update(amount=D("10.00"))
    response = signed_in(manager).post(
        refund_url(paid), {"amount": "20", "reason": "Essai", "confirm": "1"}
    )
    assert Refund.objects.get().status == Refund.Status.FAILED
    assert flashed(response) == [
        f"La passerelle de paiement a refusé le remboursement de 20,00\u00a0$ "
        f"sur la facture {paid.number}."
    ]
    assert signed_in(manager).get(f"{BILLING}factures/{paid.pk}/").context["refundable"] == D(
        "114.98"
    )
