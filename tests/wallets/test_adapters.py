"""The real adapters of APNs and of the Google Wallet REST API, against transports that
answer as those services do (neither can be reached from here)."""

from __future__ import annotations

import dataclasses
import json
import ssl
import urllib.parse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from parcauto.wallets.adapters import Outcome
from parcauto.wallets.apple.push import ApnsPush, _tls_context
from parcauto.wallets.credentials import apple_credentials, google_credentials
from parcauto.wallets.google.api import SCOPE, WalletRestApi

TOKEN = "ab" * 32
TOPIC = "pass.ca.parcauto.dev"


def _apns(answer) -> tuple[ApnsPush, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    push = ApnsPush(
        host="api.push.apple.com",
        credentials=apple_credentials(),
        timeout=5,
        transport=httpx.MockTransport(handler),
    )
    return push, seen


def test_apns_gets_an_empty_push_for_the_device_with_the_pass_type_as_topic():
    push, seen = _apns(lambda request: httpx.Response(200, headers={"apns-id": "x"}))
    assert push.send(push_token=TOKEN, topic=TOPIC) is Outcome.DONE
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == f"https://api.push.apple.com/3/device/{TOKEN}"
    assert request.headers["apns-topic"] == TOPIC
    assert json.loads(request.content) == {"aps": {}}


@pytest.mark.parametrize(
    ("status", "reason", "outcome"),
    [
        (410, "Unregistered", Outcome.GONE),
        (400, "BadDeviceToken", Outcome.GONE),
        (400, "DeviceTokenNotForTopic", Outcome.GONE),
        (403, "BadCertificate", Outcome.FAILED),
        (429, "TooManyRequests", Outcome.FAILED),
        (500, "InternalServerError", Outcome.FAILED),
    ],
)
def test_apns_refusals_say_whether_the_device_is_gone(status, reason, outcome):
    push, _ = _apns(lambda request: httpx.Response(status, json={"reason": reason}))
    assert push.send(push_token=TOKEN, topic=TOPIC) is outcome


def test_apns_out_of_reach_is_a_failure_not_an_exception():
    def down(request):
        raise httpx.ConnectError("no route", request=request)

    push, _ = _apns(down)
    assert push.send(push_token=TOKEN, topic=TOPIC) is Outcome.FAILED


def test_a_token_apns_would_refuse_is_not_sent():
    push, seen = _apns(lambda request: httpx.Response(200))
    assert push.send(push_token="../../x", topic=TOPIC) is Outcome.GONE
    assert seen == []


def test_the_apns_client_presents_the_pass_certificate_with_its_own_key():
    credentials = apple_credentials()
    assert _tls_context(credentials).verify_mode == ssl.CERT_REQUIRED
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ssl.SSLError):
        _tls_context(dataclasses.replace(credentials, key=stranger))


class Google:
    """Google's token endpoint and Wallet API, as far as the adapter uses them."""

    def __init__(self, patch_status: int = 200) -> None:
        self.patch_status = patch_status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "oauth2.googleapis.com":
            return httpx.Response(200, json={"access_token": "ya29.token", "expires_in": 3599})
        if request.headers.get("Authorization") != "Bearer ya29.token":
            return httpx.Response(401)
        return httpx.Response(self.patch_status, json={})


def _api(google: Google) -> WalletRestApi:
    return WalletRestApi(
        credentials=google_credentials(), timeout=5, transport=httpx.MockTransport(google)
    )


def test_the_api_signs_in_as_the_service_account_then_patches_the_object():
    google = Google()
    api = _api(google)
    body = {"id": "3388.x", "state": "EXPIRED"}
    assert api.object_patch(object_id="3388.x", body=body) is Outcome.DONE
    token_request, patch = google.requests
    form = urllib.parse.parse_qs(token_request.content.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    credentials = google_credentials()
    assertion = jwt.decode(
        form["assertion"][0],
        credentials.private_key.public_key(),
        algorithms=["RS256"],
        audience="https://oauth2.googleapis.com/token",
    )
    assert assertion["scope"] == SCOPE
    assert assertion["iss"] == credentials.client_email
    assert patch.method == "PATCH"
    assert str(patch.url) == (
        "https://walletobjects.googleapis.com/walletobjects/v1/genericObject/3388.x"
    )
    assert json.loads(patch.content) == body


def test_the_access_token_is_kept_until_it_expires():
    google = Google()
    api = _api(google)
    api.object_patch(object_id="3388.x", body={"id": "3388.x"})
    api.object_patch(object_id="3388.x", body={"id": "3388.x"})
    assert [r.url.host for r in google.requests].count("oauth2.googleapis.com") == 1


@pytest.mark.parametrize(("status", "outcome"), [(404, Outcome.GONE), (500, Outcome.FAILED)])
def test_an_object_never_saved_is_gone_and_an_error_a_failure(status, outcome):
    assert (
        _api(Google(patch_status=status)).object_patch(object_id="3388.x", body={"id": "3388.x"})
        is outcome
    )
