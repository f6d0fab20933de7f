"""\"Mot de passe perdu?\": ask for a link, refuse a tampered one, choose a new password."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import Portal, Steps, field, field_error, heading, link_in, mail_to
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.e2e

OLD_PASSWORD = "Stationnement-2026"
NEW_PASSWORD = "Nouveau-Permis-2027"


def log_in(page: Page, email: str, password: str) -> None:
    field(page, "Adresse courriel").fill(email)
    field(page, "Mot de passe").fill(password)
    page.get_by_role("button", name="Continuer").click()


def test_a_forgotten_password_is_replaced_through_the_emailed_link(
    page: Page, shot: Steps, chus: Portal
) -> None:
    email = "marie.tremblay@example.com"
    ProfileFactory(user=UserFactory(email=email, password=OLD_PASSWORD), first_name="Marie")

    page.goto(chus.url("/accounts/login/"))
    forgotten = page.get_by_role("link", name="Mot de passe perdu?")
    expect(forgotten).to_have_count(1)  # one link, under the password as in the guides
    forgotten.click()
    expect(page).to_have_url(chus.pattern("/accounts/password/reset/"))
    expect(heading(page)).to_have_text("Mot de passe perdu?")

    # An unknown address: said plainly, in French, next to the field, and kept.
    field(page, "Adresse courriel").fill("inconnu@example.com")
    page.get_by_role("button", name="Envoyer le lien").click()
    expect(page).to_have_url(chus.pattern("/accounts/password/reset/"))
    assert field_error(page, "Adresse courriel") == [
        "Aucun compte n'utilise cette adresse courriel."
    ]
    expect(field(page, "Adresse courriel")).to_have_value("inconnu@example.com")
    shot("01-unknown-email")

    field(page, "Adresse courriel").fill(email)
    page.get_by_role("button", name="Envoyer le lien").click()
    expect(page).to_have_url(chus.pattern("/accounts/password/reset/done/"))
    expect(heading(page)).to_have_text("Consultez vos courriels")
    shot("02-link-sent")

    (message,) = mail_to(email)
    assert message.subject == "CIUSSS de l'Estrie - CHUS · Choisissez un nouveau mot de passe"
    link = link_in(message, chus, "/accounts/password/reset/key/")
    assert shot.email(message, "03-reset-email") == {"Choisissez un nouveau mot de passe": link}

    # A tampered link (last character of the key changed) is refused.
    tampered = link.rstrip("/")
    tampered = tampered[:-1] + ("a" if tampered[-1] != "a" else "b") + "/"
    page.goto(tampered)
    expect(heading(page)).to_have_text("Lien invalide ou expiré")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("link", name="Demander un nouveau lien")).to_be_visible()
    shot("04-tampered-link")

    # The real link: choose a new password (with one mismatch on the way).
    page.goto(link)
    expect(heading(page)).to_have_text("Choisissez un nouveau mot de passe")
    field(page, "Nouveau mot de passe").fill(NEW_PASSWORD)
    field(page, "Confirmation du mot de passe").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Changer mon mot de passe").click()
    assert field_error(page, "Confirmation du mot de passe") == [
        "Vous devez saisir deux fois le même mot de passe."
    ]
    shot("05-new-password-mismatch")
    field(page, "Nouveau mot de passe").fill(NEW_PASSWORD)
    field(page, "Confirmation du mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Changer mon mot de passe").click()
    expect(page).to_have_url(chus.pattern("/accounts/password/reset/key/done/"))
    expect(heading(page)).to_have_text("Mot de passe changé")
    shot("06-password-changed")

    # The link is spent, the old password no longer works, the new one does.
    page.goto(link)
    expect(heading(page)).to_have_text("Lien invalide ou expiré")
    page.goto(chus.url("/accounts/login/"))
    log_in(page, email, OLD_PASSWORD)
    expect(page).to_have_url(chus.pattern("/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text(
        "L'adresse courriel ou le mot de passe est incorrect."
    )
    shot("07-old-password-refused")
    log_in(page, email, NEW_PASSWORD)
    expect(page).to_have_url(chus.pattern("/tableau-de-bord/"))
    expect(heading(page)).to_have_text("Bonjour Marie")
    shot("08-dashboard")

    shot.assert_all_french()
