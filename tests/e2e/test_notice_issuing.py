"""A patrol agent, on a phone, issues a claim notice with a photo from a plate check,
then prints it (letter and 80 mm) with the QR code to the public payment page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from parcauto.accounts.models import StaffRole
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import now
from parcauto.demo.enforcement import AMOUNTS
from parcauto.demo.loader import DemoResult
from parcauto.enforcement.models import ClaimNotice, NoticePhoto, NoticeReason
from parcauto.tenants.models import Organization
from tests.backoffice.staff import TOTP_SECRET, staff_member
from tests.e2e.support import Portal, Steps, browser_fetch, field, heading, pdf_text, staff_log_in
from tests.e2e.test_subscription_journeys import PASSWORD
from tests.enforcement.notices import check_of, photo_jpeg

pytestmark = pytest.mark.e2e


def test_a_patrol_agent_issues_a_notice_with_a_photo_on_a_phone(
    page: Page, shot: Steps, demo: DemoResult, root: Portal
) -> None:
    organization = Organization.objects.get(slug="ciusse-chus")
    lot = ParkingLot.objects.get(organization=organization, number="1085")
    agent = staff_member(StaffRole.Role.PATROL, organization, email="patrouille@chus.example")
    # What the patrol page writes when the agent types a plate with no permit.
    check = check_of(lot, plate="FXP123", agent=agent, at=now() - dt.timedelta(minutes=2))
    photo = shot.folder / f"{shot.prefix}-photo.jpg"
    photo.write_bytes(photo_jpeg(size=(2000, 1500)).read())

    # PDFs and photos on a machine shared with other builds: give slow pages time.
    page.context.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    try:
        _issue_and_print(page, shot, root, agent, check, photo)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the other tests


def _issue_and_print(page: Page, shot: Steps, root: Portal, agent, check, photo) -> None:  # type: ignore[no-untyped-def]
    staff_log_in(page, root, agent.email, PASSWORD, TOTP_SECRET)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state("load")
    page.console_errors.clear()  # type: ignore[attr-defined]  # the landing page is not ours

    page.goto(root.url(f"/gestion/patrouille/verifications/{check.pk}/avis/"))
    expect(heading(page)).to_have_text("Émettre un avis de réclamation")
    expect(page.get_by_text("FXP123")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("01-form")
    expect(field(page, "Motif")).to_have_value("no_permit")
    field(page, "Photos (facultatif, jusqu\u2019à 4)").set_input_files(photo)
    field(page, "Espace ou zone (facultatif)").fill("P2-14")
    field(page, "Couleur (facultatif)").fill("Rouge")
    page.get_by_role("button", name="Émettre l\u2019avis").click()

    expect(page).to_have_url(re.compile(r".*/gestion/patrouille/avis/\d+/$"))
    notice = ClaimNotice.objects.get(plate_check=check)
    assert page.url.endswith(f"/gestion/patrouille/avis/{notice.pk}/")
    expect(heading(page)).to_have_text(f"Avis n° {notice.number}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("02-issued")
    assert (notice.agent, notice.zone, notice.vehicle_colour) == (agent, "P2-14", "Rouge")
    assert NoticePhoto.objects.filter(notice=notice).count() == 1
    assert notice.total == AMOUNTS[NoticeReason.NO_PERMIT]  # the demo's tariff, untaxed

    for link, name in (
        ("Imprimer sur l\u2019imprimante mobile (80 mm)", "80mm"),
        ("Imprimer sur papier lettre", "lettre"),
    ):
        href = page.get_by_role("link", name=link).get_attribute("href") or ""
        printed = browser_fetch(page, root.url(href))
        assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
        (shot.folder / f"{shot.prefix}-{name}.pdf").write_bytes(printed.body)
        text = pdf_text(printed.body)
        assert "AVIS DE RÉCLAMATION" in text and notice.number in text and "FXP123" in text
        assert f"/avis-de-reclamation/?numero={notice.number}" in text.replace(" ", "")
    shot.assert_all_french()
