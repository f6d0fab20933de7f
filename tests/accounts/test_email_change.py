"""One address per account, changed through a re-validated flow; no address squatting.

Issue 9, finding 4: allauth's e-mail page let a signed-in person add someone else's
address unverified; the owner's sign-up was then refused, and a click on the validation
link sent to the owner proved the address on the squatter's account.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client

from parcauto.accounts.models import User
from parcauto.audit.models import AuditEvent
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Stationnement-2026"  # the factories' password
OWNER = "owner@chus.example"
OWNERS_PASSWORD = "Autre-Secret-2027"
LINK = re.compile(r"http://chus\.testserver(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a request and deliver the e-mails it queued, as the worker would."""

    def run(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return run


def _portal(user: User | None = None) -> Client:
    client = Client(HTTP_HOST="chus.testserver")
    if user is not None:
        client.force_login(user)
    return client


def _link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _link_to(address: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return _link_in(message)


def _sign_up(client: Client, email: str = OWNER, password: str = OWNERS_PASSWORD):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": password, "password2": password}
    )


@pytest.fixture
def squatter(organization) -> User:
    return ProfileFactory(user__email="squatter@cisso.example").user


@pytest.fixture
def squatted(squatter, send) -> User:
    """The squatter asked to change their address to the owner's: a pending claim."""
    response = send(_portal(squatter).post, "/accounts/email/", {"action_add": "", "email": OWNER})
    assert response.status_code == 302
    return squatter


# --- One address per account ------------------------------------------------------------


def test_asking_for_an_address_changes_nothing_until_its_link_is_used(squatted):
    squatted.refresh_from_db()
    assert squatted.email == "squatter@cisso.example"
    addresses = EmailAddress.objects.filter(user=squatted).order_by("pk")
    assert [(a.email, a.verified, a.primary) for a in addresses] == [
        ("squatter@cisso.example", True, True),
        (OWNER, False, False),
    ]
    # allauth's multi-address actions do nothing here: no second address made primary...
    _portal(squatted).post("/accounts/email/", {"action_primary": "", "email": OWNER})
    assert EmailAddress.objects.get(user=squatted, primary=True).email == "squatter@cisso.example"
    # ...and the account's own address cannot be removed.
    _portal(squatted).post(
        "/accounts/email/", {"action_remove": "", "email": "squatter@cisso.example"}
    )
    assert EmailAddress.objects.filter(user=squatted, verified=True).count() == 1


def test_the_email_page_is_the_change_form_of_the_portal(squatted):
    page = _portal(squatted).get("/accounts/email/").content.decode()
    assert "Adresse courriel actuelle" in page
    assert "squatter@cisso.example" in page
    assert "en attente de confirmation" in page
    assert "Changer mon adresse courriel" in page


# --- The owner wins over a claim ----------------------------------------------------------


def test_the_owner_signs_up_with_an_address_another_account_only_claimed(squatted, send):
    squatters_link = _link_to(OWNER)
    mail.outbox.clear()
    browser = _portal()
    response = send(_sign_up, browser)
    assert (response.status_code, response.url) == (302, "/accounts/confirm-email/")
    owner = User.objects.get(email=OWNER)
    assert not EmailAddress.objects.filter(user=squatted, email=OWNER).exists()
    assert AuditEvent.objects.filter(
        action="account.unverified_claim_dropped", target_id=str(squatted.pk)
    ).exists()
    # The squatter's link died with the claim; the owner's proves the address, in the
    # browser that signed up, without a password.
    assert "Lien invalide ou expiré" in browser.get(squatters_link).content.decode()
    response = browser.post(_link_to(OWNER))
    assert (response.status_code, response.url) == (302, "/compte/courriel-valide/")
    assert EmailAddress.objects.get(user=owner).verified


def test_the_link_sent_to_the_owner_never_proves_it_for_the_account_that_asked(squatted):
    link = _link_to(OWNER)
    owner_browser = _portal()
    page = owner_browser.get(link).content.decode()
    assert "entrez le mot de passe de ce compte" in page

    response = owner_browser.post(link)  # no password: the owner does not know it
    assert response.status_code == 200
    response = owner_browser.post(link, {"password": "Mon-Propre-Secret-1"})
    assert response.status_code == 200
    assert "pas le mot de passe du compte" in response.content.decode()

    squatted.refresh_from_db()
    assert squatted.email == "squatter@cisso.example"
    assert not EmailAddress.objects.get(user=squatted, email=OWNER).verified


def test_signed_in_as_another_account_the_link_proves_nothing_either(squatted):
    someone = ProfileFactory(user__email="someone@chus.example").user
    link = _link_to(OWNER)
    client = _portal(someone)
    client.post(link)
    assert not EmailAddress.objects.get(user=squatted, email=OWNER).verified


def test_a_verified_owner_keeps_the_address(organization):
    UserFactory(email=OWNER)
    response = _sign_up(_portal())
    assert response.status_code == 200
    assert "Un compte utilise déjà cette adresse courriel." in response.content.decode()
    assert User.objects.filter(email=OWNER).count() == 1


# --- A squatting sign-up ------------------------------------------------------------------


@pytest.fixture
def squat_signup(organization, send) -> User:
    response = send(_sign_up, _portal(), password="Mot-De-Passe-Du-Squatteur-9")
    assert response.status_code == 302
    return User.objects.get(email=OWNER)


def test_the_owner_signs_up_over_an_account_nobody_ever_proved(squat_signup, send):
    squat_link = _link_to(OWNER)
    mail.outbox.clear()
    response = send(_sign_up, _portal())
    assert response.status_code == 302
    owner = User.objects.get(email=OWNER)
    assert owner.pk != squat_signup.pk
    assert not User.objects.filter(pk=squat_signup.pk).exists()
    # The squat's link died with it; the owner's own works.
    assert "Lien invalide ou expiré" in _portal().get(squat_link).content.decode()


def test_the_link_of_a_squatting_sign_up_needs_the_squatters_password(squat_signup):
    link = _link_to(OWNER)
    _portal().post(link, {"password": "Mon-Propre-Secret-1"})  # the owner, elsewhere
    assert not EmailAddress.objects.get(user=squat_signup).verified


def test_a_sign_up_validated_from_another_device_takes_its_password(organization, send):
    send(_sign_up, _portal(), password="Stationnement-2027")
    link = _link_to(OWNER)
    phone = _portal()
    response = phone.post(link, {"password": "Stationnement-2027"})
    assert (response.status_code, response.url) == (302, "/compte/courriel-valide/")
    assert EmailAddress.objects.get(email=OWNER).verified


# --- The change itself --------------------------------------------------------------------


@pytest.fixture
def customer(organization) -> User:
    return ProfileFactory(user__email="marie@chus.example").user


def test_a_change_takes_effect_when_the_account_opens_the_link(customer, send):
    client = _portal(customer)
    send(client.post, "/accounts/email/", {"action_add": "", "email": "marie@nouveau.example"})
    (message,) = mail.outbox
    assert (
        message.subject == "CIUSSS de l'Estrie - CHUS · Confirmez votre nouvelle adresse courriel"
    )
    mail.outbox.clear()

    response = send(client.post, _link_in(message))
    assert (response.status_code, response.url) == (302, "/accounts/email/")
    customer.refresh_from_db()
    assert customer.email == "marie@nouveau.example"
    assert [
        (a.email, a.verified, a.primary) for a in EmailAddress.objects.filter(user=customer)
    ] == [("marie@nouveau.example", True, True)]
    # The old address is told.
    (notice,) = mail.outbox
    assert notice.to == ["marie@chus.example"]
    assert notice.subject == "CIUSSS de l'Estrie - CHUS · Votre adresse courriel a été changée"
    assert "marie@nouveau.example" in notice.body
    assert AuditEvent.objects.filter(action="account.email_changed", actor=customer).exists()
    # The new address signs in; the old one no longer does.
    assert (
        _portal()
        .post("/accounts/login/", {"login": "marie@nouveau.example", "password": PASSWORD})
        .status_code
        == 302
    )
    response = _portal().post(
        "/accounts/login/", {"login": "marie@chus.example", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_the_public_resend_form_never_resends_a_change_to_its_address(squatted, send):
    mail.outbox.clear()
    cache.clear()  # not merely the rate limit of the link just sent
    response = send(_portal().post, "/compte/renvoyer-validation/", {"email": OWNER})
    assert response.status_code == 200
    assert mail.outbox == []
