"""The access card in a phone's browser: the QR code large and readable, printable, and
still there when the parking lot has no signal (its service worker's copy)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from parcauto.access.services import access_sync
from parcauto.core.clock import now
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from tests.e2e.support import Portal, Steps, heading
from tests.e2e.test_subscription_journeys import log_in, person_with_profile
from tests.factories import ParkingLotFactory, PermitProductFactory, UserCategoryFactory

pytestmark = pytest.mark.e2e


def _contract(portal_slug: str, email: str) -> Subscription:
    organization = Organization.objects.get(slug=portal_slug)
    person = person_with_profile(email, first_name="Léa", last_name="Gagnon")
    lot = ParkingLotFactory(organization=organization, number="1085", name="Stationnement A")
    product = PermitProductFactory(
        organization=organization,
        lots=[lot],
        categories=[UserCategoryFactory(organization=organization)],
    )
    today = now().date()
    subscription = Subscription.objects.create(
        organization=organization,
        person=person,
        lot=lot,
        category=product.categories.get(),
        product=product,
        status=Subscription.Status.ACTIVE,
        step=Subscription.Step.PAYMENT,
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=100),
        payment_method="card",
        price=product.price,
        billing_frequency=product.billing_frequency,
        contract_number=400_000_001,
        holds_unit=True,
    )
    access_sync(subscription=subscription, now=now())
    return subscription


def test_the_card_shows_prints_and_stays_there_offline(page: Page, shot: Steps, chus: Portal):
    subscription = _contract("ciusse-chus", "lea.gagnon@example.com")
    card_url = chus.url(f"/abonnements/{subscription.pk}/carte-acces/")
    log_in(page, chus, "lea.gagnon@example.com")

    page.goto(chus.url(f"/abonnements/{subscription.pk}/"))
    page.get_by_role("link", name="Afficher ma carte d'accès").click()
    expect(heading(page)).to_have_text("Ma carte d'accès virtuelle")
    code = page.get_by_role("img", name="Code QR de votre carte d'accès")
    expect(code).to_be_visible()
    assert code.bounding_box()["width"] >= 300  # most of a 390 px phone screen
    expect(page.get_by_text("Augmentez la luminosité de votre écran")).to_be_visible()
    shot("01-card")

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Imprimer ma carte")).to_be_hidden()
    expect(code).to_be_visible()
    shot("02-printed")
    page.emulate_media(media="screen")

    # The service worker keeps the copy the holder opened; offline, that copy shows.
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.context.set_offline(True)
    page.goto(card_url)
    expect(page.get_by_role("img", name="Code QR de votre carte d'accès")).to_be_visible()
    expect(page.get_by_text(str(subscription.contract_number))).to_be_visible()
    page.context.set_offline(False)
