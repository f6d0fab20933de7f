"""The account journey of the guides, in a real browser: create an account, validate the
e-mail address, log in, fill in "Informations personnelles", reach the dashboard."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from parcauto.accounts.models import Profile, User
from tests.e2e.support import (
    Portal,
    Steps,
    field,
    field_error,
    focus_ring_of,
    heading,
    html_body,
    link_in,
    mail_to,
)

pytestmark = pytest.mark.e2e

PASSWORD = "Stationnement-2026"


def test_a_supervisor_opens_an_account_in_french_on_a_phone(
    page: Page, shot: Steps, chus: Portal
) -> None:
    email = "marie.tremblay@example.com"

    # Portal home -> login page, in French, branded with the institution.
    page.goto(chus.url("/"))
    expect(page).to_have_url(chus.pattern("/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
    expect(heading(page)).to_have_text("Connexion")
    expect(page.get_by_text("Connexion via adresse courriel et mot de passe")).to_be_visible()
    expect(page.locator(".entrance-header")).to_contain_text("CIUSSS DE L'ESTRIE - CHUS")
    expect(page.locator(".entrance-header")).to_contain_text("Société Parc-Auto du Québec")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu principal")).to_be_focused()
    page.keyboard.press("Tab")
    assert focus_ring_of(page), "the focused field must show a visible focus ring"
    shot("01-login")

    page.get_by_role("link", name="Créer un compte").click()
    expect(page).to_have_url(chus.pattern("/accounts/signup/"))
    expect(heading(page)).to_have_text("Ouverture de compte")
    field(page, "Adresse courriel").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    field(page, "Confirmation du mot de passe").fill(PASSWORD)
    shot("02-signup-filled")
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(chus.pattern("/accounts/confirm-email/"))
    expect(heading(page)).to_have_text("Confirmation du compte")
    expect(page.get_by_text("Étape 2 de 2")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer de nouveau les instructions")).to_be_visible()
    shot("03-verification-sent")

    # The validation e-mail: French, one link, on the portal the person used.
    (message,) = mail_to(email)
    assert message.subject == "CIUSSS de l'Estrie - CHUS · Validez votre adresse courriel"
    assert message.body.startswith("Bonjour,")
    assert '<html lang="fr">' in html_body(message)
    link = link_in(message, chus, "/accounts/confirm-email/")
    # The blue link of the guides ("cliquez sur le lien en bleu") is that same link.
    assert shot.email(message, "04-validation-email") == {"Valider mon adresse courriel": link}
    page.goto(link)
    expect(heading(page)).to_have_text("Confirmez votre adresse courriel")
    expect(
        page.get_by_text(f"Confirmez que {email} est bien votre adresse courriel.")
    ).to_be_visible()
    shot("05-confirm-email")
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(chus.pattern("/compte/courriel-valide/"))
    expect(heading(page)).to_have_text("Votre adresse courriel a bien été validée")
    expect(page.get_by_text("Vous pouvez maintenant vous connecter")).to_be_visible()
    shot("06-email-validated")
    assert EmailAddress.objects.get(email=email).verified
    page.get_by_role("link", name="Continuer").click()

    expect(page).to_have_url(chus.pattern("/accounts/login/"))
    field(page, "Adresse courriel").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()

    # First login: "Informations personnelles", first submit with mistakes.
    expect(page).to_have_url(chus.pattern("/profil/"))
    expect(heading(page)).to_have_text("Informations personnelles")
    expect(field(page, "Province")).to_have_value("QC")
    expect(field(page, "Langue")).to_have_value("fr")
    shot("07-profile-first-empty")
    field(page, "Genre").select_option(label="Femme")
    field(page, "Prénom").fill("Marie")
    field(page, "Nom").fill("Tremblay")
    field(page, "Adresse ligne 1").fill("375 rue Argyll")
    field(page, "# app.").fill("12")
    field(page, "Ville").fill("Sherbrooke")
    field(page, "Code postal").fill("H2X-1Y")
    page.get_by_role("button", name="Mettre à jour").click()

    expect(page).to_have_url(chus.pattern("/profil/"))
    expect(page.get_by_role("alert")).to_have_text(
        "Certains champs demandent votre attention. Rien de ce que vous avez saisi n'a été perdu."
    )
    assert field_error(page, "Code postal") == [
        "Entrez un code postal canadien, par exemple H2X 1Y4."
    ]
    for phone in ("Téléphone mobile", "Téléphone maison", "Téléphone au travail"):
        assert field_error(page, phone) == ["Champ requis"], phone
    for label in ("Genre", "Prénom", "Nom", "Adresse ligne 1", "Ville"):
        expect(field(page, label)).not_to_have_attribute("aria-invalid", "true")
    # Everything typed is still there.
    expect(field(page, "Genre")).to_have_value("woman")
    expect(field(page, "Prénom")).to_have_value("Marie")
    expect(field(page, "Nom")).to_have_value("Tremblay")
    expect(field(page, "Adresse ligne 1")).to_have_value("375 rue Argyll")
    expect(field(page, "# app.")).to_have_value("12")
    expect(field(page, "Ville")).to_have_value("Sherbrooke")
    expect(field(page, "Code postal")).to_have_value("H2X-1Y")
    shot("08-profile-errors")
    assert not Profile.objects.exists()

    field(page, "Code postal").fill("h2x1y4")
    field(page, "Téléphone mobile").fill("514-555-1234")
    page.get_by_role("button", name="Mettre à jour").click()

    expect(page).to_have_url(chus.pattern("/tableau-de-bord/"))
    expect(heading(page)).to_have_text("Bonjour Marie")
    expect(page.get_by_role("status")).to_have_text(
        "Vos informations personnelles ont été mises à jour."
    )
    shot("09-dashboard")
    profile = Profile.objects.get(user__email=email)
    assert (profile.postal_code, profile.mobile_phone) == ("H2X 1Y4", "+15145551234")

    # Paramètres: the stored values come back normalised. The menu is off-canvas on phones.
    page.get_by_role("button", name="Menu").click()
    menu = page.get_by_role("dialog", name="Menu principal")  # Bootstrap off-canvas
    expect(menu).to_be_visible()
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # slid in, not sliding
    shot("10-menu-open")
    menu.get_by_role("link", name="PARAMÈTRES").click()
    expect(page).to_have_url(chus.pattern("/parametres/"))
    page.get_by_role("link", name=re.compile("^Informations personnelles")).click()
    expect(page).to_have_url(chus.pattern("/profil/"))
    expect(heading(page)).to_have_text("Informations personnelles")
    expect(field(page, "Code postal")).to_have_value("H2X 1Y4")
    expect(field(page, "Téléphone mobile")).to_have_value("(514) 555-1234")
    expect(field(page, "Prénom")).to_have_value("Marie")
    shot("11-settings")

    page.get_by_role("button", name="Menu").click()
    menu.get_by_role("button", name="Déconnexion").click()
    expect(page).to_have_url(chus.pattern("/accounts/login/"))
    expect(heading(page)).to_have_text("Connexion")
    expect(page.get_by_role("status")).to_have_text("Déconnexion réussie.")
    shot("12-logged-out")
    page.goto(chus.url("/tableau-de-bord/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/tableau-de-bord/$"))

    shot.assert_all_french()


@pytest.mark.viewport("desktop")
@pytest.mark.parametrize("browser_locale", ["en-CA"])
def test_an_employee_opens_an_account_in_english_on_a_desktop(
    page: Page, shot: Steps, cisso: Portal
) -> None:
    email = "john.smith@example.com"

    # An English browser still gets French first (Bill 96); the footer switch changes it.
    page.goto(cisso.url("/"))
    expect(page).to_have_url(cisso.pattern("/accounts/login/"))
    expect(heading(page)).to_have_text("Connexion")
    shot("01-login-french-first")
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page).to_have_url(cisso.pattern("/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "en-CA")
    expect(heading(page)).to_have_text("Log in")
    expect(page.locator(".entrance-header")).to_contain_text(
        "OUTAOUAIS INTEGRATED HEALTH AND SOCIAL SERVICES CENTRE"
    )
    expect(page.get_by_role("contentinfo").get_by_role("button", name="Français")).to_be_visible()
    shot("02-login-english")

    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(cisso.pattern("/accounts/signup/"))
    expect(heading(page)).to_have_text("Open an account")
    field(page, "E-mail address").fill(email)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password confirmation").fill("Stationnement-2025")
    page.get_by_role("button", name="Continue").click()

    # Mismatched passwords: an English message next to the confirmation, e-mail kept.
    expect(page).to_have_url(cisso.pattern("/accounts/signup/"))
    assert field_error(page, "Password confirmation") == [
        "You must type the same password each time."
    ]
    expect(field(page, "E-mail address")).to_have_value(email)
    shot("03-signup-mismatch")
    assert not User.objects.filter(email=email).exists()

    field(page, "Password").fill(PASSWORD)
    field(page, "Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(cisso.pattern("/accounts/confirm-email/"))
    expect(heading(page)).to_have_text("Account confirmation")
    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    shot("04-verification-sent")

    (message,) = mail_to(email)
    assert message.subject == (
        "Outaouais Integrated Health and Social Services Centre · Validate your e-mail address"
    )
    assert message.body.startswith("Hello,")
    assert '<html lang="en">' in html_body(message)
    assert "To finish opening your parking account" in message.body
    link = link_in(message, cisso, "/accounts/confirm-email/")
    assert shot.email(message, "05-validation-email") == {"Validate my e-mail address": link}
    page.goto(link)
    expect(heading(page)).to_have_text("Confirm your e-mail address")
    shot("06-confirm-email")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(cisso.pattern("/compte/courriel-valide/"))
    expect(heading(page)).to_have_text("Your e-mail address has been validated")
    shot("07-email-validated")
    page.get_by_role("link", name="Continue").click()

    expect(page).to_have_url(cisso.pattern("/accounts/login/"))
    field(page, "E-mail address").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(cisso.pattern("/profil/"))
    expect(heading(page)).to_have_text("Personal information")
    expect(field(page, "Language")).to_have_value("en")
    expect(field(page, "Language").locator("option:checked")).to_have_text("English")
    shot("08-profile-first")
    field(page, "Gender").select_option(label="Man")
    field(page, "First name").fill("John")
    field(page, "Last name").fill("Smith")
    field(page, "Address line 1").fill("116 boulevard Lionel-Émond")
    field(page, "City").fill("Gatineau")
    field(page, "Postal code").fill("j8y 1w7")
    field(page, "Work phone").fill("819 966-6000")
    # Both extensions are labelled just "Ext." (reported): reach this one by its id.
    page.locator("#id_work_phone_ext").fill("4321")
    page.get_by_role("button", name="Update").click()

    expect(page).to_have_url(cisso.pattern("/tableau-de-bord/"))
    expect(heading(page)).to_have_text("Hello John")
    expect(page.get_by_role("status")).to_have_text("Your personal information has been updated.")
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu).to_be_visible()  # a left menu on desktops, no "Menu" button
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    shot("09-dashboard")

    menu.get_by_role("link", name="SETTINGS").click()
    expect(page).to_have_url(cisso.pattern("/parametres/"))
    page.get_by_role("link", name=re.compile("^Personal information")).click()
    expect(page).to_have_url(cisso.pattern("/profil/"))
    expect(field(page, "Postal code")).to_have_value("J8Y 1W7")
    expect(field(page, "Work phone")).to_have_value("(819) 966-6000")
    expect(page.locator("#id_work_phone_ext")).to_have_value("4321")
    expect(field(page, "Language")).to_have_value("en")
    shot("10-settings")
    user = User.objects.get(email=email)
    assert user.language == "en"

    menu.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(cisso.pattern("/accounts/login/"))
    expect(heading(page)).to_have_text("Log in")  # the language cookie outlives the session
    shot("11-logged-out")
