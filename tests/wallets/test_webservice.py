"""The PassKit web service, as a phone uses it: register, learn what changed, fetch the
new pass, unregister; and what it refuses."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils.http import http_date

from parcauto.audit.models import AuditEvent
from parcauto.wallets.models import AppleRegistration, SandboxCall
from parcauto.wallets.tokens import authentication_token
from tests.backoffice.requests import NOW
from tests.offers import Offer

from .passes import active_contract, code_regenerated, pass_issued, plate_changed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TYPE = "pass.ca.parcauto.dev"
DEVICE = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
PUSH_TOKEN = "ab" * 32
BASE = "/wallet/apple/v1"


@pytest.fixture
def access_pass(organization):
    return pass_issued(active_contract(organization))


@pytest.fixture
def phone(organization) -> Client:
    return Client(HTTP_HOST="chus.testserver")


def _auth(access_pass) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"ApplePass {authentication_token(access_pass)}"}


def _register(phone, access_pass, *, device=DEVICE, token=PUSH_TOKEN, headers=None):
    return phone.post(
        f"{BASE}/devices/{device}/registrations/{TYPE}/{access_pass.serial_number}",
        data=json.dumps({"pushToken": token}),
        content_type="application/json",
        **(headers if headers is not None else _auth(access_pass)),
    )


def _pass_json(response) -> dict:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return json.loads(archive.read("pass.json"))


def _fields(data: dict) -> dict[str, str]:
    return {f["key"]: f["value"] for group in data["generic"].values() for f in group}


def test_a_phone_registers_then_is_told_of_a_vehicle_change_and_fetches_the_new_pass(
    phone, access_pass
):
    assert _register(phone, access_pass).status_code == 201
    listed = phone.get(f"{BASE}/devices/{DEVICE}/registrations/{TYPE}")
    assert listed.status_code == 200
    assert listed.json()["serialNumbers"] == [str(access_pass.serial_number)]
    tag = listed.json()["lastUpdated"]
    assert isinstance(tag, str)
    first = phone.get(f"{BASE}/passes/{TYPE}/{access_pass.serial_number}", **_auth(access_pass))
    assert first.status_code == 200
    assert first["Content-Type"] == "application/vnd.apple.pkpass"
    assert _fields(_pass_json(first))["plates"].endswith("(QC)")
    assert (
        phone.get(
            f"{BASE}/devices/{DEVICE}/registrations/{TYPE}", {"passesUpdatedSince": tag}
        ).status_code
        == 204
    )

    # The holder changes their vehicle's plate: access bumps the pass and queues the task.
    later = NOW + dt.timedelta(minutes=5)
    plate_changed(access_pass, plate="XYZ789", at=later)

    pushes = list(SandboxCall.objects.filter(service="apns"))
    assert [(p.target, p.topic, p.body) for p in pushes] == [(PUSH_TOKEN, TYPE, {"aps": {}})]
    changed = phone.get(
        f"{BASE}/devices/{DEVICE}/registrations/{TYPE}", {"passesUpdatedSince": tag}
    )
    assert changed.status_code == 200
    assert changed.json()["serialNumbers"] == [str(access_pass.serial_number)]
    assert int(changed.json()["lastUpdated"]) > int(tag)
    fetched = phone.get(
        f"{BASE}/passes/{TYPE}/{access_pass.serial_number}",
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
        **_auth(access_pass),
    )
    assert fetched.status_code == 200
    assert _fields(_pass_json(fetched))["plates"] == "XYZ789 (QC)"
    assert fetched["Last-Modified"] == http_date(later.timestamp())
    unchanged = phone.get(
        f"{BASE}/passes/{TYPE}/{access_pass.serial_number}",
        HTTP_IF_MODIFIED_SINCE=fetched["Last-Modified"],
        **_auth(access_pass),
    )
    assert unchanged.status_code == 304


def test_registering_twice_answers_200_and_keeps_the_newest_push_token(phone, access_pass):
    assert _register(phone, access_pass).status_code == 201
    assert _register(phone, access_pass, token="cd" * 32).status_code == 200
    assert list(AppleRegistration.objects.values_list("push_token", flat=True)) == ["cd" * 32]
    assert AuditEvent.objects.filter(action="wallet.apple_registered").count() == 1


def test_unregistering_forgets_the_device_and_a_second_time_is_a_404(phone, access_pass):
    _register(phone, access_pass)
    url = f"{BASE}/devices/{DEVICE}/registrations/{TYPE}/{access_pass.serial_number}"
    assert phone.delete(url, **_auth(access_pass)).status_code == 200
    assert not AppleRegistration.objects.exists()
    assert phone.delete(url, **_auth(access_pass)).status_code == 404
    assert AuditEvent.objects.filter(action="wallet.apple_unregistered").count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "ApplePass " + "0" * 64},
        {"HTTP_AUTHORIZATION": "Bearer whatever"},
        {"HTTP_AUTHORIZATION": "ApplePass "},
    ],
)
def test_a_wrong_or_missing_token_is_a_401_and_registers_nothing(phone, access_pass, headers):
    response = _register(phone, access_pass, headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "ApplePass"
    assert not AppleRegistration.objects.exists()
    fetch = phone.get(f"{BASE}/passes/{TYPE}/{access_pass.serial_number}", **headers)
    assert fetch.status_code == 401


def test_another_pass_s_token_opens_nothing(organization, phone, access_pass):
    offer = Offer(
        access_pass.subscription.lot,
        access_pass.subscription.category,
        access_pass.subscription.product,
    )
    other = pass_issued(active_contract(organization, offer=offer))
    response = _register(phone, access_pass, headers=_auth(other))
    assert response.status_code == 401


def test_an_unknown_pass_type_or_a_malformed_device_is_a_404(phone, access_pass):
    url = f"{BASE}/devices/{DEVICE}/registrations/pass.com.other/{access_pass.serial_number}"
    assert phone.post(url, **_auth(access_pass)).status_code == 404
    assert phone.get(f"{BASE}/devices/{DEVICE}/registrations/pass.com.other").status_code == 404
    assert _register(phone, access_pass, device="x" * 65).status_code == 404
    assert phone.get(f"{BASE}/passes/pass.com.other/{access_pass.serial_number}").status_code == 404


@pytest.mark.parametrize(
    "body", ["", "{", "[]", '{"pushToken": 5}', '{"pushToken": "not hex"}', '{"other": 1}']
)
def test_a_malformed_registration_body_is_a_400(phone, access_pass, body):
    response = phone.post(
        f"{BASE}/devices/{DEVICE}/registrations/{TYPE}/{access_pass.serial_number}",
        data=body,
        content_type="application/json",
        **_auth(access_pass),
    )
    assert response.status_code == 400
    assert not AppleRegistration.objects.exists()


def test_an_unknown_device_or_a_tag_we_never_made_lists_nothing_or_everything(phone, access_pass):
    assert phone.get(f"{BASE}/devices/{DEVICE}/registrations/{TYPE}").status_code == 204
    _register(phone, access_pass)
    for tag in ("abc", "-1", "9" * 40, "١٢٣"):
        response = phone.get(
            f"{BASE}/devices/{DEVICE}/registrations/{TYPE}", {"passesUpdatedSince": tag}
        )
        assert response.status_code == 200, tag


def test_another_institution_s_portal_does_not_know_the_pass(other_organization, access_pass):
    phone = Client(HTTP_HOST="cisso.testserver")
    assert _register(phone, access_pass).status_code == 401
    assert not AppleRegistration.objects.exists()


def test_the_operator_s_host_has_no_web_service(access_pass):
    assert _register(Client(HTTP_HOST="testserver"), access_pass).status_code == 404


def test_the_phone_s_logs_are_accepted_and_odd_ones_refused(phone, access_pass, caplog):
    url = f"{BASE}/log"
    response = phone.post(
        url, data=json.dumps({"logs": ["Web service error"]}), content_type="application/json"
    )
    assert response.status_code == 200
    assert "Web service error" in caplog.text
    assert phone.post(url, data="nope", content_type="application/json").status_code == 400
    assert phone.get(url).status_code == 405


def test_tokens_tried_out_from_one_address_are_stopped(settings, phone, access_pass):
    settings.PARCAUTO_RATE_LIMITS = settings.PARCAUTO_RATE_LIMITS | {"wallet_auth": "3/15m/ip"}
    wrong = {"HTTP_AUTHORIZATION": "ApplePass " + "0" * 64}
    statuses = [_register(phone, access_pass, headers=wrong).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert _register(phone, access_pass).status_code == 429  # even the right one, for a while


def test_the_pass_of_a_device_gets_a_regenerated_code_and_the_old_phone_is_let_go(
    phone, access_pass
):
    _register(phone, access_pass)
    old_auth = _auth(access_pass)
    code_regenerated(access_pass, at=NOW + dt.timedelta(minutes=1))
    assert not AppleRegistration.objects.exists()  # registered with the old code's token
    assert not SandboxCall.objects.exists()
    fetch = phone.get(f"{BASE}/passes/{TYPE}/{access_pass.serial_number}", **old_auth)
    assert fetch.status_code == 401
