from __future__ import annotations

import pytest

from parcauto.audit.models import AuditEvent
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_pages_are_in_french_by_default_whatever_the_browser_says(portal_client):
    response = portal_client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response["Content-Language"] == "fr"
    assert "Connexion via adresse courriel et mot de passe" in response.content.decode()


def test_a_visitor_can_switch_to_english_and_back(portal_client):
    response = portal_client.post("/langue/", {"language": "en", "next": "/accounts/login/"})
    assert response.url == "/accounts/login/"
    page = portal_client.get("/accounts/login/").content.decode()
    assert "Log in with your e-mail address and password" in page
    portal_client.post("/langue/", {"language": "fr", "next": "/accounts/login/"})
    assert "Connexion" in portal_client.get("/accounts/login/").content.decode()


def test_english_is_refused_where_the_institution_offers_only_french(portal_client, organization):
    organization.english_enabled = False
    organization.save()
    portal_client.post("/langue/", {"language": "en", "next": "/accounts/login/"})
    response = portal_client.get("/accounts/login/")
    assert response["Content-Language"] == "fr"
    assert "English</button>" not in response.content.decode()


def test_a_signed_in_person_keeps_the_language_in_the_account(portal_client):
    profile = ProfileFactory()
    portal_client.force_login(profile.user)
    portal_client.post("/langue/", {"language": "en", "next": "/tableau-de-bord/"})
    profile.user.refresh_from_db()
    assert profile.user.language == "en"
    assert AuditEvent.objects.filter(action="account.language_changed").count() == 1


def test_the_language_switch_never_redirects_to_another_site(portal_client):
    response = portal_client.post("/langue/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


@pytest.mark.parametrize(
    "next_url",
    ["foo", "portal:dashboard", "9999-12-31", "²", "//evil.example/", "/n'existe-pas/", "\x00"],
)
def test_a_next_that_is_no_page_of_this_site_goes_home(portal_client, next_url):
    # `redirect("foo")` took it for a URL name: NoReverseMatch, a server error.
    response = portal_client.post("/langue/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies["parcauto_language"].value == "en"


def test_a_next_page_keeps_its_query_string(portal_client):
    response = portal_client.post(
        "/langue/", {"language": "en", "next": "/abonnements/nouveau/?modifier=1"}
    )
    assert response.url == "/abonnements/nouveau/?modifier=1"
