"""The access card page of "MON ABONNEMENT": the holder's QR code and facts, printable,
kept by the browser for its holder alone; "Régénérer mon code"; and nobody else's."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from parcauto.access.models import AccessGrant, AccessPass
from parcauto.access.services import access_sync
from parcauto.audit.models import AuditEvent
from parcauto.subscriptions.models import Subscription
from tests.access.conftest import add_vehicle, at, contract
from tests.factories import (
    OrganizationFactory,
    ParkingLotFactory,
    PermitProductFactory,
    ProfileFactory,
    UserCategoryFactory,
)
from tests.pages import page, text
from tests.scoping import within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = at(dt.date(2026, 9, 2), 8)


@pytest.fixture
def card(product, person) -> Subscription:
    add_vehicle(person, plate="ABC123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    return subscription


def url(subscription: Subscription, suffix: str = "") -> str:
    return f"/abonnements/{subscription.pk}/carte-acces/{suffix}"


def signed_in(holder, host: str = "chus.testserver") -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(holder)
    return client


def test_the_holder_sees_the_qr_code_and_the_facts_of_the_card(card, person):
    response = signed_in(person).get(url(card))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    html = page(response)
    words = text(response)
    assert html.count("<svg") == 1 and 'class="pass-qr"' in html
    assert "<title>Code QR de votre carte d'accès</title>" in html
    assert "Augmentez la luminosité de votre écran" in words
    assert str(card.contract_number) in words and "Léa Gagnon" in words
    assert "1085 - " in words and "ABC123 (QC)" in words
    assert "Actif" in words and "Imprimer ma carte" in words
    assert "@media print" in html
    # Nothing fetched from elsewhere: the page works offline once loaded.
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_a_suspended_card_says_so(card, person):
    Subscription.objects.filter(pk=card.pk).update(status=Subscription.Status.SUSPENDED)
    access_sync(subscription=card, now=NOW)
    words = text(signed_in(person).get(url(card)))
    assert "Suspendu" in words and "un paiement est en souffrance" in words


def test_a_voided_card_shows_no_code(card, person):
    Subscription.objects.filter(pk=card.pk).update(status=Subscription.Status.ENDED)
    access_sync(subscription=card, now=NOW)
    response = signed_in(person).get(url(card))
    assert "<svg" not in page(response)
    assert "Annulé" in text(response) or "n'ouvre plus le stationnement" in text(response)
    assert signed_in(person).get(url(card, "regenerer/")).status_code == 200
    signed_in(person).post(url(card, "regenerer/"))
    assert AccessPass.objects.get(subscription=card).state == AccessPass.State.VOIDED


def test_another_person_or_institution_gets_a_404(card, person, organization):
    stranger = ProfileFactory().user
    assert signed_in(stranger).get(url(card)).status_code == 404
    assert signed_in(stranger).post(url(card, "regenerer/")).status_code == 404
    other = OrganizationFactory(slug="cisso", hostname="cisso.testserver")
    # The holder on another institution's portal: that portal has no such contract.
    assert signed_in(person, "cisso.testserver").get(url(card)).status_code == 404
    with within(other):
        lot = ParkingLotFactory(organization=other)
        product = PermitProductFactory(
            organization=other, lots=[lot], categories=[UserCategoryFactory(organization=other)]
        )
    theirs = contract(product, person)
    with within(other):
        access_sync(subscription=theirs, now=NOW)
    assert signed_in(person).get(url(theirs)).status_code == 404
    assert signed_in(person, "cisso.testserver").get(url(theirs)).status_code == 200


def test_a_request_without_a_card_is_a_404(product, person):
    request = contract(product, person, status=Subscription.Status.SUBMITTED)
    assert signed_in(person).get(url(request)).status_code == 404


def test_regenerating_asks_first_then_replaces_the_code(card, person):
    client = signed_in(person)
    before = AccessPass.objects.get(subscription=card)
    assert "Oui, donnez-moi un nouveau code" in text(client.get(url(card, "regenerer/")))
    assert AccessPass.objects.get(pk=before.pk).token_hash == before.token_hash  # GET: nothing

    response = client.post(url(card, "regenerer/"))

    assert response.status_code == 302 and response["Location"] == url(card)
    after = AccessPass.objects.get(pk=before.pk)
    assert after.token_hash != before.token_hash
    assert AccessGrant.objects.get(credential=before.token_hash).state == "revoked"
    assert AuditEvent.objects.filter(action="access.pass_regenerated", actor=person).count() == 1
    assert "l'ancien n'ouvre plus la barrière" in text(client.get(url(card)))


def test_regenerating_is_rate_limited(card, person, settings):
    settings.PARCAUTO_RATE_LIMITS = {**settings.PARCAUTO_RATE_LIMITS, "pass_regenerate": "2/h/user"}
    client = signed_in(person)
    for _ in range(2):
        assert client.post(url(card, "regenerer/")).status_code == 302
    hash_before = AccessPass.objects.get(subscription=card).token_hash
    response = client.post(url(card, "regenerer/"))
    assert response.status_code == 429
    assert AccessPass.objects.get(subscription=card).token_hash == hash_before


def test_the_subscription_page_leads_to_the_card(card, person):
    words = text(signed_in(person).get(f"/abonnements/{card.pk}/"))
    assert "Ma carte d'accès virtuelle" in words and "Afficher ma carte d'accès" in words


def test_the_downloaded_contract_prints_the_qr_code(card, person):
    response = signed_in(person).get(f"/abonnements/{card.pk}/contrat.pdf")
    assert response.status_code == 200
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Carte d'accès virtuelle" in pdf
    assert "Régénérer mon code" in pdf


def test_the_card_is_kept_for_offline_use_by_a_service_worker(card, person):
    html = page(signed_in(person).get(url(card)))
    assert 'data-pass-offline="/abonnements/carte-acces-sw.js"' in html
    script = Client(HTTP_HOST="chus.testserver").get("/abonnements/carte-acces-sw.js")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "carte-acces" in script.content.decode()
    # Not on the operator's host: the script belongs to the portals.
    assert Client().get("/abonnements/carte-acces-sw.js").status_code == 404


def test_signing_out_clears_the_browsers_copies(card, person):
    client = signed_in(person)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
