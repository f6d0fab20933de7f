"""The back office on a manager's phone: each page fits the screen and passes axe (run by
every browser test), and a table wider than the screen scrolls with the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from parcauto.tenants.models import Organization
from tests.backoffice.requests import offer_of, submitted_request
from tests.backoffice.staff import TOTP_SECRET, staff_member
from tests.e2e.support import Portal, Steps, heading, staff_log_in
from tests.e2e.test_subscription_journeys import PASSWORD

pytestmark = pytest.mark.e2e


def test_a_manager_reviews_a_request_and_the_billing_pages_on_a_phone(
    page: Page, shot: Steps, chus: Portal, root: Portal
) -> None:
    organization = Organization.objects.get(slug="ciusse-chus")
    request = submitted_request(offer_of(organization), first_name="Josée")
    manager = staff_member("manager", organization, email="gestionnaire@chus.example")
    staff_log_in(page, root, manager.email, PASSWORD, TOTP_SECRET)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(root.pattern("/admin/"))

    page.goto(root.url("/gestion/demandes/"))
    expect(heading(page)).to_have_text("Demandes d'abonnement")
    shot("01-queue")
    page.goto(root.url(f"/gestion/demandes/{request.pk}/"))
    shot("02-request")

    # Wider than the phone, the vehicles' table scrolls inside its box: Tab reaches the box
    # and the arrow keys scroll it.
    vehicles = page.locator("section[aria-labelledby=vehicles] .table-responsive")
    expect(vehicles).to_have_role("region")
    expect(vehicles).to_have_accessible_name("Véhicules")
    assert vehicles.evaluate("box => box.scrollWidth > box.clientWidth")
    assert vehicles.evaluate("box => box.tabIndex") == 0  # in the Tab order
    vehicles.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=vehicles.element_handle())

    for step, path in [
        ("03-billing-runs", "/gestion/facturation/"),
        ("04-failed-payments", "/gestion/facturation/paiements-refuses/"),
        ("05-invoices", "/gestion/facturation/factures/"),
        ("06-files", "/gestion/facturation/fichiers/"),
        ("07-revenue", "/gestion/facturation/revenus/"),
        ("08-service-centre", "/gestion/service/"),
    ]:
        page.goto(root.url(path))
        shot(step)
    shot.assert_all_french()
