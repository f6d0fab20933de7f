"""Issue 9, finding 7: access codes, card tokenization, card update, the payment step and
sign-up are rate-limited per account and per IP; the attempt over the limit gets a 429
(the translated page, or JSON) and records nothing; another account or address goes on.

Small limits here (the settings' defaults are larger); the cache is cleared per test.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parcauto.accounts.models import User
from parcauto.core.rates import rates_parse
from parcauto.payments.models import PaymentMethod, SandboxCard
from parcauto.subscriptions.models import Subscription, WaitingListEntry
from tests.factories import ProfileFactory, UserFactory, VehicleFactory
from tests.pages import PDF, page, text
from tests.portal import test_subscription_wizard as wizard
from tests.portal.test_subscription_wizard import (
    DETAILS,
    NEW,
    PAYMENT,
    SUMMARY,
    VEHICLES,
    card_payment,
    choose_data,
    draft_of,
    hidden,
)

chus, john = wizard.chus, wizard.john
NOW = wizard.NOW  # the frozen_now fixture stops the clock there
__all__ = ["hidden"]  # a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

OFFER = "/abonnements/nouveau/offre/"
HOST = "chus.testserver"
HIDDEN_NAME = "7116 - Cadres - Espace réservé"
WAIT_FR = "Trop de tentatives. Veuillez réessayer dans"


@pytest.fixture(autouse=True)
def _small_limits(settings) -> None:
    settings.PARCAUTO_RATE_LIMITS = {
        "access_code": "3/15m/user,5/15m/ip",
        "card_token": "2/h/user,4/h/ip",
        "card_update": "2/h/user,5/h/ip",
        "payment_submit": "2/h/user,5/h/ip",
    }


def client_of(user: User | None, ip: str = "203.0.113.1") -> Client:
    client = Client(HTTP_HOST=HOST, REMOTE_ADDR=ip)
    if user is not None:
        client.force_login(user)
    return client


def person(email: str) -> User:
    return ProfileFactory(user=UserFactory(email=email)).user


def _429(response, *, language: str = "fr") -> str:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response["Content-Language"] == language
    return text(response)


# --- access codes ----------------------------------------------------------------------------


def _try(client: Client, chus, code: str):
    return client.get(
        OFFER, {"lot": chus["lot"].pk, "category": chus["category"].pk, "access_code": code}
    )


def test_after_3_wrong_codes_even_the_right_one_opens_nothing(chus, hidden) -> None:
    guesser = client_of(person("guesser@example.com"))
    for code in ("AAAA", "BBBB", "CCCC"):
        answer = _try(guesser, chus, code)
        assert answer.status_code == 200
        assert "Ce code d'accès ne donne accès à aucun abonnement" in text(answer)

    words = _429(_try(guesser, chus, "CADRES-HULL"))
    assert WAIT_FR in words and "minutes." in words
    assert HIDDEN_NAME not in words
    # htmx asks for the list: the message alone, in place of the page's content.
    response = guesser.get(
        OFFER,
        {"lot": chus["lot"].pk, "category": chus["category"].pk, "access_code": "CADRES-HULL"},
        headers={"HX-Request": "true"},
    )
    assert (response.status_code, response["HX-Retarget"]) == (429, "#main")
    assert "<html" not in page(response) and WAIT_FR in text(response)
    # Choosing it with the right code records nothing either.
    response = guesser.post(NEW, choose_data(chus, product=hidden.pk, access_code="cadres-hull"))
    assert response.status_code == 429
    assert not Subscription.objects.exists()
    # Nor can the waiting list tell a guesser anything.
    response = guesser.post(
        "/abonnements/liste-attente/",
        {
            "lot": chus["lot"].pk,
            "category": chus["category"].pk,
            "waitlist_product": hidden.pk,
            "access_code": "CADRES-HULL",
        },
    )
    assert response.status_code == 429
    assert not WaitingListEntry.objects.exists()

    # Another account elsewhere is not affected.
    other = client_of(person("other@example.com"), ip="198.51.100.7")
    assert HIDDEN_NAME in page(_try(other, chus, "cadres-hull"))


def test_the_right_code_is_never_counted(chus, hidden) -> None:
    client = client_of(person("cadre@example.com"))
    for _ in range(6):
        assert HIDDEN_NAME in page(_try(client, chus, "cadres-hull"))
    assert _try(client, chus, "").status_code == 200  # no code typed: nothing tried


def test_wrong_codes_from_one_address_are_counted_across_accounts(chus, hidden) -> None:
    for n, codes in enumerate((("A1", "A2", "A3"), ("B1", "B2"))):
        client = client_of(person(f"bot{n}@example.com"))
        for code in codes:
            assert _try(client, chus, code).status_code == 200
    # A fresh account from the same address: the address's 5 are used up.
    assert _try(client_of(person("bot9@example.com")), chus, "CADRES-HULL").status_code == 429
    # The same fresh account from another address is answered.
    elsewhere = client_of(User.objects.get(email="bot9@example.com"), ip="198.51.100.8")
    assert HIDDEN_NAME in page(_try(elsewhere, chus, "cadres-hull"))


# --- the payment step ------------------------------------------------------------------------


def _to_payment(client: Client, chus, owner: User) -> Subscription:
    assert client.post(NEW, choose_data(chus)).status_code == 302
    vehicle = VehicleFactory(owner=owner, plate=f"AB{owner.pk:04d}")
    assert client.post(VEHICLES, {"vehicles": [vehicle.pk]}).status_code == 302
    assert client.post(DETAILS, wizard_details()).status_code == 302
    assert client.post(SUMMARY).status_code == 302
    draft = draft_of(owner)
    assert draft is not None
    return draft


def wizard_details() -> dict[str, object]:
    return {
        "school": "UdeS",
        "internship_discipline": "Soins",
        "proof": SimpleUploadedFile("stage.pdf", PDF, content_type="application/pdf"),
    }


def test_the_third_submission_in_an_hour_is_refused_and_records_nothing(chus) -> None:
    owner = person("payeur@example.com")
    client = client_of(owner)
    draft = _to_payment(client, chus, owner)
    for _ in range(2):  # refused by the form (no consent): each counts
        data = card_payment(draft) | {"accepted_payment_conditions": ""}
        assert client.post(PAYMENT, data).status_code == 200

    _429(client.post(PAYMENT, card_payment(draft)))
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert not PaymentMethod.objects.filter(subscription=draft).exists()
    assert client.get(PAYMENT).status_code == 200  # looking is not submitting

    # Another account from the same address submits.
    neighbour = person("voisin@example.com")
    other = client_of(neighbour)
    their_draft = _to_payment(other, chus, neighbour)
    assert other.post(PAYMENT, card_payment(their_draft)).status_code == 302


# --- card tokenization (the sandbox iframe) and card update --------------------------------------


TOKENIZE = "/passerelle-test/carte/jeton/"
CARD = {"cardholder": "John Tremblay", "expiry": "12/30", "cvd": "123"}


def test_card_tries_are_limited_in_the_gateways_json(chus) -> None:
    tester = client_of(person("tester@example.com"))
    for number in ("4000000000000001", "4000000000000002"):
        answer = tester.post(TOKENIZE, CARD | {"card_number": number})
        assert answer.status_code == 200
    response = tester.post(TOKENIZE, CARD | {"card_number": "4242424242424242"})
    assert response.status_code == 429
    body = json.loads(response.content)
    assert body["responseCode"] == ["429"] and body["dataKey"] is None
    assert body["errorMessage"].startswith(WAIT_FR)
    assert body["retryAfter"] == int(response["Retry-After"]) > 0
    assert SandboxCard.objects.count() == 1  # the first number was valid; none since

    # Another account from another address tokenizes.
    other = client_of(person("honest@example.com"), ip="198.51.100.9")
    assert json.loads(other.post(TOKENIZE, CARD | {"card_number": "4242424242424242"}).content)[
        "responseCode"
    ] == ["001"]


def test_card_updates_are_limited_and_the_third_changes_nothing(chus) -> None:
    owner = person("carte@example.com")
    client = client_of(owner)
    draft = _to_payment(client, chus, owner)
    assert client.post(PAYMENT, card_payment(draft)).status_code == 302
    url = f"/abonnements/{draft.pk}/carte-de-credit/"
    for _ in range(2):
        assert client.post(url, {"card_token": ""}).status_code == 200
    before = list(PaymentMethod.objects.filter(subscription=draft).values())
    new_card = card_payment(draft)["card_token"]
    response = client.post(url, {"card_token": new_card}, headers={"Accept": "application/json"})
    assert response.status_code == 429
    body = json.loads(response.content)
    assert body == {
        "error": "too_many_attempts",
        "message": body["message"],
        "retry_after": int(response["Retry-After"]),
    }
    assert body["message"].startswith(WAIT_FR)
    assert list(PaymentMethod.objects.filter(subscription=draft).values()) == before
    assert client.get(url).status_code == 200  # the page itself still shows


# --- sign-up (allauth's own limit, answered with our page) ----------------------------------------


def test_sign_up_is_limited_per_address_with_the_translated_page(organization, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"signup": "2/m/ip"}
    organization.english_enabled = True
    organization.save()

    def sign_up(client: Client, email: str):
        return client.post(
            "/accounts/signup/",
            {"email": email, "password1": "Stationnement-2026", "password2": "Stationnement-2026"},
        )

    client = client_of(None)
    for n in range(2):
        assert sign_up(client, f"new{n}@example.com").status_code == 302
    client.cookies["parcauto_language"] = "en"
    response = sign_up(client, "new9@example.com")
    words = _429(response, language="en")
    assert "Too many attempts. Please try again in 1 minute." in words
    assert "Back to the home page" in words
    assert '<html lang="en-CA">' in page(response)
    assert '<p role="alert">' in page(response)
    assert not User.objects.filter(email="new9@example.com").exists()
    assert sign_up(client_of(None, ip="198.51.100.10"), "new9@example.com").status_code == 302


def test_the_default_limits_count_per_account_and_per_address(settings) -> None:
    from parcauto import settings as project

    # Phones calling the PassKit web service have no account: counted per address only.
    # So do visitors paying or contesting a claim notice; its look-up also counts the
    # notice number tried, whoever tries it.
    per_address_only = {"wallet_service", "wallet_auth", "notice_pay", "notice_contest"}
    per_key = {"notice_lookup": {"ip", "key"}}
    for action, value in project.PARCAUTO_RATE_LIMITS.items():
        expected = {"ip"} if action in per_address_only else {"user", "ip"}
        expected = per_key.get(action, expected)
        assert {rate.per for rate in rates_parse(value)} == expected, action
