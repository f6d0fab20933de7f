"""PARAMÈTRES' privacy pages: each person reaches their own data only (anyone else's is a
404), the download link needs its person signed in, the closure asks for the password,
and the institution's privacy page is public."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from parcauto.accounts.models import User
from parcauto.audit.models import AuditEvent
from parcauto.notifications.services import email_topics_refused
from parcauto.privacy.links import data_export_token
from parcauto.privacy.models import AccountClosure, DataExport, PrivacySettings
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import LegalText, Organization
from tests.backoffice.requests import NOW
from tests.pages import NBSP, page, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SETTINGS = "/parametres/"
MY_DATA = "/parametres/mes-donnees/"
CLOSE = "/parametres/fermer-mon-compte/"


def client_of(user: User | None, host: str = "chus.testserver") -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def ready(marie, organization, after_commit) -> DataExport:
    """Marie asked for her data on the portal, and the worker prepared it."""
    with after_commit():
        client_of(marie.person).post("/parametres/mes-donnees/preparer/")
    return DataExport.objects.get(person=marie.person)


def _download(export: DataExport) -> str:
    return f"/parametres/mes-donnees/telecharger/{data_export_token(export)}/"


# --- PARAMÈTRES ---------------------------------------------------------------------------


def test_settings_lead_to_every_account_and_privacy_page(marie):
    html = page(client_of(marie.person).get(SETTINGS))
    for path in (
        "/profil/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/parametres/langue-et-courriels/",
        "/parametres/vehicules/",
        MY_DATA,
        "/parametres/consentements/",
        CLOSE,
        "/confidentialite/",
    ):
        assert f'href="{path}"' in html, path


def test_the_password_and_two_step_pages_are_in_the_portal(marie):
    client = client_of(marie.person)
    password = text(client.get("/accounts/password/change/"))
    assert "PARAMÈTRES" in password or "Paramètres" in password
    assert "Changer mon mot de passe" in password
    two_step = text(client.get("/accounts/2fa/"))
    assert "Vérification en deux étapes" in two_step
    assert "Facultatif." in two_step
    assert 'href="/accounts/2fa/totp/activate/"' in page(client.get("/accounts/2fa/"))


def test_language_and_optional_emails_are_chosen_in_one_form(marie):
    client = client_of(marie.person)
    html = page(client.get("/parametres/langue-et-courriels/"))
    assert 'value="reminders" checked' in html.replace('id="id_wanted_0" ', "")
    response = client.post(
        "/parametres/langue-et-courriels/", {"language": "en", "wanted": ["reminders"]}
    )
    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    marie.person.refresh_from_db()
    assert marie.person.language == "en"
    assert email_topics_refused(person_id=marie.person.pk) == {"news"}
    assert "Your preferences have been saved." in text(client.get(SETTINGS))


def test_a_language_the_institution_does_not_offer_is_refused(marie, organization):
    Organization.objects.filter(pk=organization.pk).update(english_enabled=False)
    response = client_of(marie.person).post("/parametres/langue-et-courriels/", {"language": "en"})
    assert response.status_code == 200
    marie.person.refresh_from_db()
    assert marie.person.language == "fr"


# --- Mes données ------------------------------------------------------------------------


def test_asking_for_the_data_shows_its_link_once_ready(ready, marie):
    assert ready.status == DataExport.Status.READY
    html = page(client_of(marie.person).get(MY_DATA))
    assert f'href="{_download(ready)}"' in html
    assert "Télécharger mes données (ZIP)" in html


def test_while_it_is_prepared_the_page_polls_its_progress(marie, organization):
    export = DataExport.objects.create(
        person=marie.person, organization=organization, steps_total=6, steps_done=2
    )
    progress = f"/parametres/mes-donnees/{export.pk}/progression/"
    html = page(client_of(marie.person).get(MY_DATA))
    assert f'hx-get="{progress}"' in html
    part = page(client_of(marie.person).get(progress, HTTP_HX_REQUEST="true"))
    assert '<progress id="export-progress"' in part
    assert 'value="2"' in part
    assert "Étape 2 sur 6" in part


def test_someone_elses_progress_is_not_found(ready, jean):
    progress = f"/parametres/mes-donnees/{ready.pk}/progression/"
    assert client_of(jean.person).get(progress).status_code == 404


def test_the_link_downloads_the_archive_for_its_person(ready, marie):
    response = client_of(marie.person).get(_download(ready))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="mes-donnees-2026-06-01.zip"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    ready.refresh_from_db()
    assert ready.downloaded_at == NOW
    assert AuditEvent.objects.filter(action="privacy.export_downloaded").count() == 1


def test_the_link_is_a_404_for_anyone_else_and_asks_a_stranger_to_sign_in(ready, jean):
    assert client_of(jean.person).get(_download(ready)).status_code == 404
    anonymous = client_of(None).get(_download(ready))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/parametres/mes-donnees/")
    assert client_of(None, "cisso.testserver").get(_download(ready)).status_code in (302, 404)


@pytest.mark.parametrize(
    "token",
    ["x", "a:b:c", "e" * 3000, "%00", "é:ü", "eyJleHBvcnQiOjF9:1vTQ8v:AAAA", "1:2"],
)
def test_an_odd_link_is_a_404(marie, token):
    assert (
        client_of(marie.person).get(f"/parametres/mes-donnees/telecharger/{token}/").status_code
        == 404
    )


def test_the_link_expires(ready, marie):
    with time_machine.travel(NOW + dt.timedelta(days=7, seconds=1), tick=False):
        assert client_of(marie.person).get(_download(ready)).status_code == 404


# --- Consents ---------------------------------------------------------------------------


def test_the_consent_log_lists_contracts_and_optional_emails(marie):
    shown = text(client_of(marie.person).get("/parametres/consentements/"))
    assert f"contrat n°{NBSP}{marie.contract.contract_number}" in shown
    assert "version 3" in shown
    assert f"Courriels facultatifs{NBSP}: Rappels" in shown


# --- Closure ----------------------------------------------------------------------------


def test_the_closure_page_says_why_it_cannot_be_done_yet(marie):
    Subscription.objects.filter(pk=marie.contract.pk).update(status=Subscription.Status.ACTIVE)
    client = client_of(marie.person)
    shown = text(client.get(CLOSE))
    assert "Votre compte ne peut pas encore être fermé" in shown
    assert "est encore en vigueur" in shown
    assert 'name="password"' not in page(client.get(CLOSE))
    client.post(CLOSE, {"password": "Stationnement-2026", "understood": "on"})
    assert not AccountClosure.objects.exists()


def test_closing_asks_for_the_password_and_the_acknowledgement(marie):
    client = client_of(marie.person)
    wrong = client.post(CLOSE, {"password": "pas-le-bon", "understood": "on"})
    assert "Le mot de passe n'est pas le bon." in text(wrong)
    unticked = client.post(CLOSE, {"password": "Stationnement-2026"})
    assert "Cochez cette case pour fermer votre compte." in text(unticked)
    assert not AccountClosure.objects.exists()


def test_closing_signs_the_person_out_and_says_so(marie, after_commit):
    client = client_of(marie.person)
    with after_commit():
        response = client.post(CLOSE, {"password": "Stationnement-2026", "understood": "on"})
    assert response["Location"] == "/compte-ferme/"
    assert "Votre compte est fermé" in text(client.get("/compte-ferme/"))
    assert client.get(SETTINGS).status_code == 302  # signed out
    assert AccountClosure.objects.get(person=marie.person).erased_at == NOW


# --- The institution's privacy page -----------------------------------------------------


def test_the_privacy_page_names_the_officer_and_the_policy_in_force(organization):
    Organization.objects.filter(pk=organization.pk).update(
        privacy_officer_name="Martin Gagnon", privacy_officer_email="vie-privee@chus.example"
    )
    for version, published in ((1, NOW - dt.timedelta(days=30)), (2, NOW + dt.timedelta(days=5))):
        LegalText.objects.create(
            organization=organization,
            kind=LegalText.Kind.PRIVACY_POLICY,
            version=version,
            body_fr=f"Politique version {version}",
            published_at=published,
        )
    PrivacySettings.objects.create(organization=organization, proof_retention_months=18)
    shown = text(client_of(None).get("/confidentialite/"))
    assert "Martin Gagnon, responsable de la protection des renseignements personnels" in shown
    assert "vie-privee@chus.example" in shown
    assert "Politique version 1" in shown
    assert "Politique version 2" not in shown  # not in force yet
    assert "18 mois après la fin du contrat" in shown


def test_the_privacy_page_is_a_portals_page(db):
    assert client_of(None, "testserver").get("/confidentialite/").status_code == 404
