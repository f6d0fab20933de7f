from __future__ import annotations

import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.models import PaymentMethod, SandboxCard
from parcauto.payments.services import cards
from parcauto.sales import tasks as sale
from tests.payments.conftest import NOW
from tests.payments.factories import contract_make
from tests.scoping import worker_call

FRAME = "/passerelle-test/carte/"
TOKENIZE = "/passerelle-test/carte/jeton/"
# A number no test card uses, so that finding it anywhere means it leaked.
TYPED = "4012888888881881"
# A name no fixture uses: the sandbox must keep it nowhere.
CARDHOLDER = "Zéphirine Quintal-Ouellet"


def tokenize(client: Client, **fields: str):
    data = {
        "cardholder": CARDHOLDER,
        "card_number": TYPED,
        "expiry": "12/30",
        "cvd": "123",
        "lang": "fr",
        **fields,
    }
    return client.post(TOKENIZE, data).json()


def test_the_urls_are_the_sandbox_ones() -> None:
    assert reverse("payments:sandbox-frame") == FRAME
    assert reverse("payments:sandbox-tokenize") == TOKENIZE


def test_only_our_own_pages_may_frame_it(portal_client) -> None:
    response = portal_client.get(FRAME, {"lang": "fr"})

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert all('src="/static/' in tag for tag in scripts)  # no third-party script


def test_other_pages_stay_unframeable(portal_client) -> None:
    response = portal_client.post(TOKENIZE, {"card_number": "4242424242424242"})

    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        (
            "fr",
            [
                "Nom du titulaire",
                "Numéro de carte",
                "Date d'expiration (MM/AA)",
                "Code de sécurité (CVD)",
            ],
        ),
        ("en", ["Cardholder name", "Card number", "Expiry date (MM/YY)", "Security code (CVD)"]),
    ],
)
def test_the_fields_are_labelled_in_the_page_language(portal_client, lang, labels) -> None:
    page = portal_client.get(FRAME, {"lang": lang}).content.decode()

    for label in labels:
        assert label in page
    assert 'autocomplete="cc-number"' in page and 'inputmode="numeric"' in page
    # The name comes first, as in the guides, labelled and announced with its error.
    assert page.index('for="card-name"') < page.index('for="card-number"')
    assert re.search(
        r'<input id="card-name" name="cardholder"[^>]*autocomplete="cc-name"[^>]*required'
        r'[^>]*aria-describedby="card-name-error"',
        page,
    )
    assert f'<html lang="{lang}-CA">' in page


def test_a_valid_card_gets_a_temporary_token(portal_client) -> None:
    answer = tokenize(portal_client)

    assert answer["responseCode"] == ["001"]
    assert answer["dataKey"].startswith("ot-")
    assert (answer["bin"], answer["errorMessage"]) == ("401288", None)
    card = SandboxCard.objects.get(token=answer["dataKey"])
    assert (card.brand, card.last4, card.expiry, card.permanent) == ("visa", "1881", "3012", False)


@pytest.mark.parametrize(
    ("fields", "codes", "message"),
    [
        ({"card_number": "4242 4242 4242 4241"}, ["943"], "Le numéro de carte n'est pas valide."),
        # Digits that are no ASCII digits: "²" made the Luhn check raise (a 500), and
        # full-width or Arabic-Indic digits passed it.
        ({"card_number": "4242 4242 4242 424²"}, ["943"], "Le numéro de carte n'est pas valide."),
        ({"card_number": "²" * 16}, ["943"], "Le numéro de carte n'est pas valide."),
        (
            {"card_number": "\uff14\uff12\uff14\uff12" * 4},
            ["943"],
            "Le numéro de carte n'est pas valide.",
        ),
        (
            {"expiry": "\u0661\u0662/\u0663\u0660"},
            ["944"],
            "Entrez la date d'expiration sous la forme MM/AA.",
        ),
        ({"cvd": "\u0661\u0662\u0663"}, ["945"], "Le code de sécurité (CVD) compte 3 chiffres."),
        ({"expiry": "13/30"}, ["944"], "Entrez la date d'expiration sous la forme MM/AA."),
        ({"expiry": "01/20"}, ["944"], "Cette carte est expirée."),
        ({"cvd": "12"}, ["945"], "Le code de sécurité (CVD) compte 3 chiffres."),
        (
            {"card_number": "371449635398431", "cvd": "123"},
            ["945"],
            "Le code de sécurité (CVD) compte 4 chiffres.",
        ),
        (
            {"cardholder": "  "},
            ["946"],
            "Entrez le nom du titulaire tel qu'il figure sur la carte.",
        ),
        (
            {"cardholder": "", "card_number": "", "expiry": "", "cvd": ""},
            ["946", "943", "944", "945"],
            None,
        ),
    ],
)
def test_a_bad_card_is_refused_with_moneris_codes(portal_client, fields, codes, message) -> None:
    answer = tokenize(portal_client, **fields)

    assert answer["responseCode"] == codes
    assert answer["dataKey"] is None
    if message:
        assert answer["errorMessage"] == message
    assert not SandboxCard.objects.exists()


def test_refusals_are_in_english_for_an_english_page(portal_client) -> None:
    answer = tokenize(portal_client, card_number="1234", lang="en")

    assert answer["errorMessage"] == "The card number is not valid."
    assert answer["fieldErrors"] == {"943": "The card number is not valid."}


def test_the_typed_number_is_nowhere_in_the_database_or_the_logs(
    portal_client, organization, caplog, django_capture_on_commit_callbacks
) -> None:
    caplog.set_level(logging.DEBUG)
    contract = contract_make(organization, payment_method=PaymentMethodKind.CARD)
    portal_client.get(FRAME, {"lang": "fr"})
    tokenize(portal_client, card_number="40128888 8888 1881", expiry="1/30", cvd="12")
    token = tokenize(portal_client, card_number="4012-8888-8888-1881")["dataKey"]
    with django_capture_on_commit_callbacks(execute=True):
        method = cards.card_method_record(subscription=contract, temporary_token=token, now=NOW)
    worker_call(
        sale.vault_card, organization_id=method.organization_id, payment_method_id=method.pk
    )

    method.refresh_from_db()
    assert method.status == PaymentMethod.Status.ACTIVE and method.card_last4 == "1881"
    stored = list(_every_stored_value())
    leaks = [
        f"{table}.{column}"
        for table, column, value in stored
        if TYPED in re.sub(r"\D", "", value) or TYPED[:12] in value
    ]
    assert leaks == []
    assert not [f"{table}.{column}" for table, column, value in stored if CARDHOLDER in value]
    # The scan does see what is kept: the last digits, where they belong.
    assert ("payments_paymentmethod", "card_last4", "1881") in stored
    assert TYPED not in caplog.text and "4012-8888" not in caplog.text
    assert CARDHOLDER not in caplog.text


def _every_stored_value():
    """Every column of every table, as text."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            columns = [column.name for column in description]
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        yield table, column, str(value)


def test_there_is_no_sandbox_page_when_moneris_is_the_gateway(portal_client, settings) -> None:
    settings.PAYMENTS_GATEWAY = "parcauto.payments.gateways.moneris.MonerisGateway.from_settings"
    settings.MONERIS_STORE_ID, settings.MONERIS_API_TOKEN = "monca01234", "secret"

    page = portal_client.get(FRAME)
    answer = portal_client.post(TOKENIZE, {"card_number": "4242424242424242"})

    assert (page.status_code, answer.status_code) == (404, 404)
    assert not SandboxCard.objects.exists()
