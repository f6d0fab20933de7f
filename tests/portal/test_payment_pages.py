"""MON ABONNEMENT's money pages: "Solde" and the card on file, "Mettre à jour la carte de
crédit", "CALENDRIER DE PERCEPTION" and the PDF receipts, each for its owner only."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from parcauto.billing.models import Invoice
from parcauto.payments.gateways.sandbox import sandbox_card_tokenize
from parcauto.payments.models import PaymentMethod, SandboxCard
from parcauto.sales import services as lifecycle
from parcauto.subscriptions.models import Subscription
from tests.factories import ProfileFactory, UserFactory
from tests.pages import NBSP, page, text
from tests.subscriptions import conftest as subscriptions
from tests.subscriptions.conftest import NOW, draft_until_payment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

offer = subscriptions.offer  # lot 1085, an episodic permit at 23,08 $ that needs approval
NEW_CARD = "5555555555554444"
REFUSED_CARD = "4000000000000002"


def token(number: str = "4242424242424242") -> str:
    return sandbox_card_tokenize(number=number, expiry="3012", now=NOW).token


@pytest.fixture
def person():
    return ProfileFactory(user__email="john@example.com", first_name="John").user


@pytest.fixture
def contract(offer, person, django_capture_on_commit_callbacks) -> Subscription:
    """Paid by card, approved, its first month (June) charged."""
    organization = offer.product.organization
    organization.gst_number = "123456789RT0001"
    organization.qst_number = "1234567890TQ0001"
    organization.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = lifecycle.subscription_submit(
            subscription=draft_until_payment(offer, person),
            payment_method="card",
            accepted_payment_conditions=True,
            accepted_charge_after_approval=True,
            payment=lifecycle.CardPayment(temporary_token=token()),
            now=NOW,
        )
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.subscription_approve(
            subscription=request, actor=UserFactory(email="agent@example.com"), now=NOW
        )
    request.refresh_from_db()
    return request


def client_for(user, host: str = "chus.testserver") -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


@pytest.fixture
def client(person) -> Client:
    return client_for(person)


def card_url(contract: Subscription) -> str:
    return f"/abonnements/{contract.pk}/carte-de-credit/"


def calendar_url(contract: Subscription) -> str:
    return f"/abonnements/{contract.pk}/calendrier-de-perception/"


def receipt_url(contract: Subscription) -> str:
    invoice = Invoice.objects.get(subscription=contract)
    return f"/abonnements/{contract.pk}/recus/{invoice.number}.pdf"


def current_card(contract: Subscription) -> PaymentMethod:
    return PaymentMethod.objects.get(subscription=contract, status__in=["pending", "active"])


# --- "Détails de l'abonnement" --------------------------------------------------------------


def test_the_details_show_the_card_on_file_and_the_real_balance(client, contract):
    words = text(client.get(f"/abonnements/{contract.pk}/"))
    assert "Méthode de paiement Carte de crédit" in words
    assert f"Solde 0,00{NBSP}$" in words
    assert "Carte Visa •••• 4242" in words
    assert "Date d'expiration 12/30" in words
    assert "Mettre à jour la carte de crédit" in words
    assert "Calendrier de perception" in words
    Invoice.objects.filter(subscription=contract).update(status="failed", amount_paid=0)
    assert f"Solde 23,08{NBSP}$" in text(client.get(f"/abonnements/{contract.pk}/"))


# --- "Mettre à jour la carte de crédit" -------------------------------------------------------


def test_the_card_update_page_shows_the_gateway_iframe(client, contract):
    response = client.get(card_url(contract))
    html = page(response)
    assert "Mettre à jour la carte de crédit" in text(response)
    assert "Carte au dossier : Visa •••• 4242".replace(" :", f"{NBSP}:") in text(response)
    assert "data-card-iframe" in html and 'name="card_token"' in html


def test_a_new_card_replaces_the_one_on_file(client, contract, django_capture_on_commit_callbacks):
    old = current_card(contract)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(card_url(contract), {"card_token": token(NEW_CARD)})
    assert response.status_code == 302
    assert response.url == f"/abonnements/{contract.pk}/"
    assert "Votre carte de crédit a été mise à jour." in text(client.get(response.url))
    new = current_card(contract)
    assert (new.card_last4, new.status) == ("4444", "active")
    old.refresh_from_db()
    assert old.status == PaymentMethod.Status.REPLACED
    assert not SandboxCard.objects.filter(token=old.data_key).exists()


def test_a_refused_card_changes_nothing_and_says_so_in_french(client, contract):
    before = current_card(contract)
    response = client.post(card_url(contract), {"card_token": token(REFUSED_CARD)})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Votre carte a été refusée{NBSP}: rien n'a été changé. Vérifiez le numéro et la date "
        "d'expiration, ou utilisez une autre carte."
    ]
    assert current_card(contract) == before
    assert current_card(contract).card_last4 == "4242"


def test_no_token_changes_nothing(client, contract):
    response = client.post(card_url(contract), {"card_token": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Votre carte n'a pas pu être lue. Saisissez le numéro de la carte et sa date "
        "d'expiration, puis soumettez de nouveau."
    ]
    assert current_card(contract).card_last4 == "4242"


# --- "CALENDRIER DE PERCEPTION" and receipts -----------------------------------------------------


def test_the_calendar_shows_the_paid_charge_with_its_receipt_then_those_to_come(client, contract):
    response = client.get(calendar_url(contract))
    words = text(response)
    assert "Calendrier de perception" in words
    # June: charged at approval; July: the last month, to the end date (31 July).
    assert (
        f"1er juin 2026 23,08{NBSP}$ · Payée du 1er juin 2026 au 30 juin 2026 "
        f"Avant taxes 20,08{NBSP}$ · TPS 1,00{NBSP}$ · TVQ 2,00{NBSP}$ Reçu (PDF)"
    ) in words
    assert f"1er juillet 2026 23,08{NBSP}$ · Prévue du 1er juillet 2026 au 31 juillet 2026" in words
    assert receipt_url(contract) in page(response)


def test_a_receipt_is_a_pdf_with_the_taxes_and_the_suppliers_numbers(client, contract):
    response = client.get(receipt_url(contract))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    invoice = Invoice.objects.get(subscription=contract)
    assert response["Content-Disposition"] == f'inline; filename="recu-{invoice.number}.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == 612  # US Letter, as the contract
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for expected in (
        f"Reçu n° {invoice.number}",
        "Numéro d'inscription à la TPS 123456789RT0001",
        "Numéro d'inscription à la TVQ 1234567890TQ0001",
        "John",
        str(contract.contract_number),
        "Période du 1er juin 2026 au 30 juin 2026",
        "Montant avant taxes 20,08",
        "TPS (5 %) 1,00",
        "TVQ (9,975 %) 2,00",
        "Total (taxes incluses) 23,08",
    ):
        assert expected in words.replace(NBSP, " "), expected


def test_the_english_receipt_is_only_for_a_person_who_chose_english(client, contract):
    assert client.get(receipt_url(contract) + "?langue=en").status_code == 404
    Subscription.objects.filter(pk=contract.pk).update(language="en")
    response = client.get(receipt_url(contract) + "?langue=en")
    words = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Receipt no." in words and "Total (taxes included) $23.08" in words


# --- who may see them ---------------------------------------------------------------------------


PAGES = [card_url, calendar_url, receipt_url]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_people_are_sent_to_the_login_page(contract, url):
    response = Client(HTTP_HOST="chus.testserver").get(url(contract))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_another_person_gets_a_404(contract, url):
    other = ProfileFactory(user__email="marie@example.com").user
    assert client_for(other).get(url(contract)).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_the_owner_on_another_institutions_portal_gets_a_404(
    contract, person, other_organization, url
):
    assert client_for(person, "cisso.testserver").get(url(contract)).status_code == 404


def test_another_person_cannot_replace_the_card(contract):
    other = ProfileFactory(user__email="marie@example.com").user
    response = client_for(other).post(card_url(contract), {"card_token": token(NEW_CARD)})
    assert response.status_code == 404
    assert current_card(contract).card_last4 == "4242"
