"""SETTINGS > Adresse courriel: one address per account, replaced once the new one is proven,
the old one told; the link opened in another browser asks for the account's password."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from parcauto.accounts.models import User
from tests.e2e.conftest import _close_page, _open_page
from tests.e2e.support import Portal, Steps, field, field_error, heading, link_in, mail_to
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "Stationnement-2026"
OLD, NEW = "marie.tremblay@example.com", "marie.t@nouveau.example"


def test_a_person_changes_their_address_and_proves_the_new_one_on_a_phone(
    request: pytest.FixtureRequest, browser: Browser, page: Page, shot: Steps, chus: Portal
) -> None:
    ProfileFactory(user=UserFactory(email=OLD, password=PASSWORD), first_name="Marie")
    page.goto(chus.url("/accounts/login/"))
    field(page, "Adresse courriel").fill(OLD)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(chus.pattern("/tableau-de-bord/"))

    page.goto(chus.url("/parametres/"))
    page.get_by_role("link", name="Adresse courriel").click()
    expect(page).to_have_url(chus.pattern("/accounts/email/"))
    expect(heading(page)).to_have_text("Adresse courriel")
    expect(page.get_by_text(OLD)).to_be_visible()
    shot("01-email-page")

    field(page, "Nouvelle adresse courriel").fill(OLD)
    page.get_by_role("button", name="Changer mon adresse courriel").click()
    assert field_error(page, "Nouvelle adresse courriel") == [
        "C'est déjà l'adresse courriel de votre compte."
    ]
    field(page, "Nouvelle adresse courriel").fill(NEW)
    page.get_by_role("button", name="Changer mon adresse courriel").click()
    expect(page.get_by_text("en attente de confirmation")).to_be_visible()
    shot("02-change-pending")
    assert User.objects.get(email=OLD)  # nothing changed yet

    (message,) = mail_to(NEW)
    assert message.subject == (
        "CIUSSS de l'Estrie - CHUS · Confirmez votre nouvelle adresse courriel"
    )
    link = link_in(message, chus, "/accounts/confirm-email/")
    assert shot.email(message, "03-confirmation-email") == {
        "Confirmer ma nouvelle adresse courriel": link
    }

    # Opened on a phone where nobody is signed in: the account's password is asked.
    phone = _open_page(browser, {"width": 390, "height": 844}, "fr-CA")
    try:
        phone_shot = Steps(phone, shot.folder, f"{shot.prefix}-phone")
        phone.goto(link)
        expect(heading(phone)).to_have_text("Confirmez votre nouvelle adresse courriel")
        phone_shot("04-password-asked")
        field(phone, "Mot de passe").fill(PASSWORD)
        phone.get_by_role("button", name="Continuer").click()
        expect(phone).to_have_url(chus.pattern("/compte/courriel-valide/"))
        phone_shot("05-validated")
        phone_shot.assert_all_french()
    finally:
        _close_page(request, phone, "-phone")

    assert User.objects.get(email=NEW)
    (notice,) = mail_to(OLD)
    assert notice.subject == "CIUSSS de l'Estrie - CHUS · Votre adresse courriel a été changée"
    shot.email(notice, "06-old-address-told")

    page.reload()
    expect(page.get_by_text(NEW)).to_be_visible()
    expect(page.get_by_text("en attente de confirmation")).to_have_count(0)
    shot("07-new-address")
    shot.assert_all_french()
