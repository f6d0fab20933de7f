"""« Ajouter à Apple Wallet » and « Ajouter à Google Wallet » on the holder's portal."""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile

import jwt
import pytest
from django.core import mail
from django.template import engines
from django.test import Client, RequestFactory
from PIL import Image

from parcauto.access.models import AccessPass
from parcauto.wallets.credentials import google_credentials
from parcauto.wallets.emails import pass_email_extras
from parcauto.wallets.google.savelink import SAVE_URL
from parcauto.wallets.models import GoogleWalletObject
from tests.backoffice.requests import NOW
from tests.factories import ProfileFactory

from .passes import active_contract, pass_issued

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def access_pass(organization):
    return pass_issued(active_contract(organization))


@pytest.fixture
def holder(access_pass) -> Client:
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(access_pass.subscription.person)
    return client


def _apple(pk: int) -> str:
    return f"/abonnements/{pk}/carte/apple-wallet.pkpass"


def _google(pk: int) -> str:
    return f"/abonnements/{pk}/carte/google-wallet/"


def test_the_holder_downloads_the_signed_pkpass(holder, access_pass):
    response = holder.get(_apple(access_pass.subscription_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.pkpass"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        data = json.loads(archive.read("pass.json"))
        assert {"manifest.json", "signature"} <= set(archive.namelist())
    assert data["serialNumber"] == str(access_pass.serial_number)
    assert data["webServiceURL"] == "https://chus.testserver/wallet/apple"


def test_the_holder_is_sent_to_google_with_a_jwt_of_the_pass(holder, access_pass):
    response = holder.get(_google(access_pass.subscription_id))
    assert response.status_code == 302
    assert response["Location"].startswith(SAVE_URL)
    token = urllib.parse.unquote(response["Location"].removeprefix(SAVE_URL))
    claims = jwt.decode(
        token,
        google_credentials().private_key.public_key(),
        algorithms=["RS256"],
        audience="google",
    )
    assert claims["origins"] == ["https://chus.testserver"]
    (obj,) = claims["payload"]["genericObjects"]
    assert obj["id"].endswith(str(access_pass.serial_number))
    saved = GoogleWalletObject.objects.get()
    assert (saved.object_id, saved.linked_at) == (obj["id"], NOW)


def test_someone_else_gets_a_404(organization, access_pass):
    stranger = Client(HTTP_HOST="chus.testserver")
    stranger.force_login(ProfileFactory().user)
    assert stranger.get(_apple(access_pass.subscription_id)).status_code == 404
    assert stranger.get(_google(access_pass.subscription_id)).status_code == 404
    assert not GoogleWalletObject.objects.exists()


def test_a_voided_pass_is_not_offered(holder, access_pass):
    AccessPass.objects.filter(pk=access_pass.pk).update(state=AccessPass.State.VOIDED)
    assert holder.get(_apple(access_pass.subscription_id)).status_code == 404
    assert holder.get(_google(access_pass.subscription_id)).status_code == 404


def test_without_credentials_no_wallet_is_offered(settings, holder, access_pass):
    settings.WALLET_DEV_CREDENTIALS = False
    assert holder.get(_apple(access_pass.subscription_id)).status_code == 404
    assert holder.get(_google(access_pass.subscription_id)).status_code == 404


def _buttons(subscription) -> str:
    request = RequestFactory().get("/", HTTP_HOST="chus.testserver")
    template = engines["django"].from_string('{% include "wallets/_buttons.html" %}')
    return template.render({"subscription": subscription}, request)


def test_the_include_shows_both_buttons_for_a_pass_that_may_be_added(access_pass):
    html = _buttons(access_pass.subscription)
    assert _apple(access_pass.subscription_id) in html
    assert _google(access_pass.subscription_id) in html
    assert "Ajouter à Apple Wallet" in html


def test_the_include_shows_nothing_for_a_contract_without_pass(organization, access_pass):
    AccessPass.objects.filter(pk=access_pass.pk).delete()
    assert "Wallet" not in _buttons(access_pass.subscription)


def test_the_logo_google_fetches_is_a_square_png(portal_client):
    response = portal_client.get("/wallet/logo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (660, 660)
    assert Client(HTTP_HOST="testserver").get("/wallet/logo.png").status_code == 404


def test_the_pass_e_mail_links_to_the_holder_s_wallet_pages(settings, access_pass):
    contract = access_pass.subscription
    extras = pass_email_extras(access_pass=access_pass, contract=contract)
    assert extras == {
        "wallet_apple_url": f"https://chus.testserver{_apple(contract.pk)}",
        "wallet_google_url": f"https://chus.testserver{_google(contract.pk)}",
        "secrets": [],
    }
    settings.WALLET_DEV_CREDENTIALS = False
    extras = pass_email_extras(access_pass=access_pass, contract=contract)
    assert (extras["wallet_apple_url"], extras["wallet_google_url"]) == ("", "")


def test_the_pass_page_offers_both_wallets(holder, access_pass):
    page = holder.get(f"/abonnements/{access_pass.subscription_id}/carte-acces/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{_apple(access_pass.subscription_id)}"' in html
    assert f'href="{_google(access_pass.subscription_id)}"' in html


def test_the_activation_e_mail_links_to_both_wallets(access_pass):
    found = [message for message in mail.outbox if "virtuelle" in message.subject]
    assert len(found) == 1, [message.subject for message in mail.outbox]
    sent = found[0]
    contract = access_pass.subscription_id
    assert f"Ajouter à Apple Wallet\u00a0: https://chus.testserver{_apple(contract)}" in sent.body
    assert f"https://chus.testserver{_google(contract)}" in sent.alternatives[0].content
