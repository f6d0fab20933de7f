"""Issue 13, "Fidelity to the guides": the pages say and do what the three guides say."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from parcauto.subscriptions.models import Consent, Subscription
from parcauto.tenants.models import LegalText
from tests.factories import ProfileFactory, UserFactory, VehicleFactory
from tests.pages import NBSP, page, text
from tests.portal import test_subscription_wizard as wizard
from tests.portal.test_subscription_wizard import (
    DETAILS,
    NEW,
    NOW,
    PAYMENT,
    SUMMARY,
    VEHICLES,
    choose_data,
    draft_of,
    to_payment,
)

chus, john, cisso = wizard.chus, wizard.john, wizard.cisso

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def buttons(response) -> list[str]:
    """The wizard's own buttons (not the menu's "Déconnexion" nor the language switch)."""
    html = page(response)
    main = html[html.index("<main") : html.index("</main>")]
    found = re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', main)
    return [label for label in found if label not in ("Déconnexion", "English")]


# --- guide 002: a payroll-deduction permit has no payment step ------------------------------


@pytest.fixture
def payroll_only(cisso):
    """Permit 7117 as guide 002 shows it: "DAS (Déduction à la source)", nothing else."""
    product = cisso["product"]
    product.accepts_card = product.accepts_pad = False
    product.save()
    LegalText.objects.create(
        organization=cisso["organization"],
        kind=LegalText.Kind.PAYMENT_CONDITIONS,
        version=1,
        body_fr="Conditions de paiement du CISSSO.",
        published_at=NOW,
    )
    client = Client(HTTP_HOST="cisso.testserver")
    marc = ProfileFactory(user=UserFactory(email="marc@example.com"), first_name="Marc").user
    client.force_login(marc)
    data = {
        "lot": cisso["lot"].pk,
        "category": cisso["category"].pk,
        "product": product.pk,
        "start_date": "2026-06-01",
        "accepted_conditions": "on",
        "accepted_approval_notice": "on",
    }
    assert client.post(NEW, data).url == VEHICLES
    client.post(VEHICLES, {"vehicles": [VehicleFactory(owner=marc).pk]})
    assert client.post(DETAILS, {"employee_number": "E-40213"}).url == SUMMARY
    return {"client": client, "person": marc, "draft": draft_of(marc)}


def test_a_payroll_permit_counts_four_steps_and_its_summary_sends_the_request(payroll_only):
    client, draft = payroll_only["client"], payroll_only["draft"]
    response = client.get(SUMMARY)
    words = text(response)
    assert "Étape 4 de 4" in words
    assert "Paiement" not in re.sub(r"<[^>]+>", " ", page(response).split("<main")[1])
    # The authorization and the payment conditions are part of the summary.
    assert (
        "J'autorise CISSS de l'Outaouais à retenir sur ma paie le montant de cet abonnement "
        f"de stationnement (64,39{NBSP}$, taxes incluses, par mois)" in words
    )
    assert "Conditions de paiement du CISSSO." in words
    assert "J'accepte les conditions de paiement" in words
    assert buttons(response) == ["Transmettre ma demande"]
    # No payment step to go to: it leads back to the summary.
    assert client.get(PAYMENT).url == SUMMARY
    assert "(étape 4 de 4)" in text(client.get("/tableau-de-bord/"))

    refused = client.post(SUMMARY, {"request": draft.pk})
    assert refused.status_code == 200
    assert set(refused.context["payroll_form"].errors) == {
        "authorized",
        "accepted_payment_conditions",
    }
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT

    sent = client.post(
        SUMMARY,
        {"request": draft.pk, "authorized": "on", "accepted_payment_conditions": "on"},
    )
    assert sent.url == f"/abonnements/{draft.pk}/"
    draft.refresh_from_db()
    assert (draft.status, draft.payment_method) == (Subscription.Status.SUBMITTED, "payroll")
    assert draft.consents.filter(kind=Consent.Kind.PAYROLL_AUTHORIZATION).exists()
    assert draft.payment_methods.get().employee_number == "E-40213"
    # A second click finds the request sent and shows it.
    again = client.post(
        SUMMARY,
        {"request": draft.pk, "authorized": "on", "accepted_payment_conditions": "on"},
    )
    assert again.url == f"/abonnements/{draft.pk}/"
    assert Subscription.objects.filter(person=payroll_only["person"]).count() == 1


# --- guides 000, 001, 002: the buttons and the step counter ---------------------------------


def test_the_choose_and_summary_buttons_use_the_guides_words(portal_client, chus, john):
    step_1 = portal_client.get(NEW)
    assert "Étape 1 de 5" in text(step_1)
    assert buttons(step_1)[-1] == "Sélectionner ce service"
    to_payment(portal_client, chus, john)
    summary = portal_client.get(SUMMARY)
    assert "Étape 4 de 5" in text(summary)
    # A payment step follows: "Continuer" (guide 001); nothing is sent yet.
    assert buttons(summary) == ["Continuer"]
    assert "Étape 5 de 5" in text(portal_client.get(PAYMENT))


# --- guide 002: a pending request starts on its approval day --------------------------------


def test_a_pending_monthly_request_starts_on_the_day_of_approval(payroll_only):
    client, draft = payroll_only["client"], payroll_only["draft"]
    client.post(
        SUMMARY, {"request": draft.pk, "authorized": "on", "accepted_payment_conditions": "on"}
    )
    words = text(client.get(f"/abonnements/{draft.pk}/"))
    assert "Début de l'abonnement Jour de l'approbation" in words
    assert "Statut de l'abonnement En attente d'approbation" in words


# --- a second request starts with the account's vehicles ticked -----------------------------


def test_a_second_request_starts_with_the_accounts_vehicles_ticked(portal_client, chus, john):
    first, second = VehicleFactory(owner=john), VehicleFactory(owner=john)
    portal_client.post(NEW, choose_data(chus))
    html = page(portal_client.get(VEHICLES))
    for vehicle in (first, second):
        assert re.search(rf'value="{vehicle.pk}"[^>]* checked', html)
