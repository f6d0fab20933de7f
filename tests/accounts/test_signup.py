from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from parcauto.accounts.models import User
from parcauto.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Stationnement-2026"


def _sign_up(client, email="marie@example.com", password=PASSWORD, confirm=PASSWORD):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": password, "password2": confirm}
    )


def test_sign_up_sends_a_validation_link_in_french(
    portal_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(portal_client)
    assert response.status_code == 302
    user = User.objects.get(email="marie@example.com")
    assert user.signup_organization == organization
    assert user.language == "fr"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marie@example.com"]
    assert message.subject == "CIUSSS de l'Estrie - CHUS · Validez votre adresse courriel"
    assert message.body.startswith("Bonjour,")
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "Valider mon adresse courriel" in html
    assert re.search(r"http://chus\.testserver/accounts/confirm-email/\S+/", message.body)
    assert AuditEvent.objects.filter(action="account.signed_up", actor=user).exists()


def test_login_is_refused_until_the_address_is_validated(portal_client, organization):
    _sign_up(portal_client)
    portal_client.logout()
    response = portal_client.post(
        "/accounts/login/", {"login": "marie@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in portal_client.session


def test_the_link_validates_then_login_leads_to_the_profile(
    portal_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(portal_client)
    link = re.search(r"http://chus\.testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link
    response = portal_client.post(link.group(1))
    assert response.status_code == 302
    assert response.url == "/compte/courriel-valide/"
    assert EmailAddress.objects.get(email="marie@example.com").verified
    response = portal_client.post(
        "/accounts/login/", {"login": "marie@example.com", "password": PASSWORD}
    )
    assert response.url == "/profil/"


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("court", "court", "Ce mot de passe est trop court"),
        (PASSWORD, "Autre-chose-2026", "Vous devez saisir deux fois le même mot de passe"),
    ],
)
def test_a_weak_or_mismatched_password_is_refused_in_french_and_keeps_the_email(
    portal_client, organization, password, confirm, message
):
    response = _sign_up(portal_client, password=password, confirm=confirm)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert 'value="marie@example.com"' in content
    assert not User.objects.exists()


def test_sign_up_is_closed_on_the_operator_host(db, client):
    response = _sign_up(client)
    assert response.status_code == 200
    assert "Ouverture de compte" in response.content.decode()
    assert not User.objects.exists()


def test_the_confirmation_page_resends_to_the_address_just_used(portal_client, organization):
    response = _sign_up(portal_client)
    assert response.url == "/accounts/confirm-email/"
    page = portal_client.get(response.url).content.decode()
    assert "Confirmation du compte" in page
    assert '<input type="hidden" name="email" value="marie@example.com">' in page
    assert "Envoyer de nouveau les instructions" in page


def test_a_wrong_password_is_refused_with_the_portal_wording(portal_client, organization):
    _sign_up(portal_client)
    response = portal_client.post(
        "/accounts/login/", {"login": "marie@example.com", "password": "Pas-le-bon-2026"}
    )
    assert response.status_code == 200
    assert "L&#x27;adresse courriel ou le mot de passe est incorrect." in response.content.decode()


def test_a_portal_that_requires_its_domain_says_so_and_refuses_other_addresses(
    portal_client, organization
):
    # Guide 000: "Il est important d'utiliser l'adresse courriel du Cégep", checked at
    # sign-up rather than only at the category step once the account exists.
    organization.signup_email_domain = "cegepmontpetit.ca"
    organization.save()
    form = portal_client.get("/accounts/signup/").content.decode()
    assert "Vous devez utiliser l'adresse courriel de votre établissement" in form
    assert "(…@cegepmontpetit.ca)" in form
    assert "Votre adresse @cegepmontpetit.ca." in form
    response = _sign_up(portal_client, email="marie@gmail.com")
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Utilisez votre adresse @cegepmontpetit.ca\u00a0: ce portail n'ouvre de compte "
        "qu'avec elle."
    ]
    assert not User.objects.exists()
    assert _sign_up(portal_client, email="1234567@CegepMontpetit.ca").status_code == 302
    assert User.objects.get().email == "1234567@cegepmontpetit.ca"
