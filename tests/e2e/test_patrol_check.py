"""A patrol agent on a phone: signs in, lands on the patrol page, checks a plate without
a permit (NOT VALID, and the way to a notice), then a misread one whose look-alike holds a
valid permit (listed as possible, to confirm), then a valid one. Phone-sized, accessible,
in French, never wider than the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from parcauto.core.clock import now
from parcauto.enforcement.models import PlateCheck
from parcauto.tenants.models import Organization
from tests.access.grants import contract_of, grant_for
from tests.backoffice.staff import TOTP_SECRET, staff_member
from tests.e2e.support import Portal, Steps, field, staff_log_in
from tests.e2e.test_subscription_journeys import PASSWORD
from tests.enforcement.checking import monthly_offer

pytestmark = pytest.mark.e2e

EMAIL = "patrouille@chus.example"


def check(page: Page, plate: str) -> None:
    field(page, "Plaque").fill(plate)
    page.get_by_role("button", name="Vérifier la plaque").click()
    expect(page.locator("#verdict")).to_be_visible()


def no_wider_than_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_a_patrol_agent_checks_plates_on_a_phone(
    page: Page, shot: Steps, chus: Portal, root: Portal
) -> None:
    organization = Organization.objects.get(slug="ciusse-chus")
    offer = monthly_offer(organization)
    started = now() - dt.timedelta(days=30)
    for plate in ("A8C124", "VAL123"):
        grant_for(contract_of(offer, start=started.date()), plate=plate, contract_from=started)
    staff_member("patrol", organization, email=EMAIL)

    staff_log_in(page, root, EMAIL, PASSWORD, TOTP_SECRET)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(root.pattern("/gestion/patrouille/"))
    field(page, "Stationnement").select_option(str(offer.lot.pk))
    shot("01-patrol")
    no_wider_than_the_screen(page)

    check(page, "xyz 789")
    expect(page.locator("#verdict")).to_contain_text("NON VALIDE")
    expect(page.locator("#verdict")).to_contain_text("Aucun permis")
    issued = PlateCheck.objects.get(plate="XYZ789")
    expect(page.get_by_role("link", name="Émettre un avis")).to_have_attribute(
        "href", f"/gestion/patrouille/verifications/{issued.pk}/avis/"
    )
    shot("02-not-valid")
    no_wider_than_the_screen(page)

    check(page, "ABC124")  # the camera-like misread of A8C124
    expect(page.locator("#possible")).to_contain_text("A8C124")
    expect(page.get_by_role("link", name="Plaque confirmée\u00a0: émettre un avis")).to_be_visible()
    shot("03-possible")
    no_wider_than_the_screen(page)

    check(page, "VAL123")
    expect(page.locator("#verdict")).to_contain_text("VALIDE")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "valid")
    expect(page.get_by_role("link", name="Émettre un avis")).to_have_count(0)
    shot("04-valid")
    # Nothing else of the back office is offered to a patrol agent.
    expect(page.get_by_role("link", name="Demandes d’abonnement")).to_have_count(0)  # noqa: RUF001
    shot.assert_all_french()
