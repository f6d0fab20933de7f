"""POST /api/v1/access/decisions: the device's key, its answer, and every error's shape."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from parcauto.access.devices import device_revoke
from parcauto.access.models import AccessEvent, AccessGrant
from tests.access.conftest import NOW
from tests.access.grants import contract_of, grant_for, manager_of, pass_token
from tests.factories import ParkingLotFactory
from tests.scoping import within

from .conftest import DECISIONS, DeviceClient, asked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def contract(offer):
    return contract_of(offer, start=NOW.date() - dt.timedelta(days=10))


def test_a_valid_pass_is_allowed_with_its_display_and_event(offer, contract, device_client):
    token = pass_token()
    grant_for(contract, token=token, contract_from=NOW - dt.timedelta(days=10))
    response = device_client.decide(asked(offer.lot.pk, token=token, lane=""))
    assert response.status_code == 200
    body = response.json()
    event = AccessEvent.objects.get()
    assert body == {
        "event_id": event.pk,
        "decision": "allow",
        "allowed": True,
        "reason": "allowed",
        "display": {"fr": "Permis valide", "en": "Valid permit"},
        "recorded_at": NOW.astimezone(dt.UTC).isoformat(),
        "replayed": False,
    }
    assert event.subscription_id == contract.pk


def test_a_plate_with_its_province_is_decided(offer, contract, device_client):
    grant_for(
        contract,
        plate="ABC123",
        contract_from=NOW - dt.timedelta(days=10),
        state=AccessGrant.State.SUSPENDED,
    )
    response = device_client.decide(asked(offer.lot.pk, plate="abc 123", province="QC"))
    assert response.json()["reason"] == "suspended"
    assert response.json()["decision"] == "deny"


def test_a_retry_with_the_same_nonce_gets_the_same_answer(offer, device_client):
    body = asked(offer.lot.pk, token=pass_token(), nonce="borne-a-17")
    first = device_client.decide(body).json()
    again = device_client.decide(body)
    assert again.json() == first | {"replayed": True}
    assert again["Idempotent-Replayed"] == "true"
    assert AccessEvent.objects.count() == 1


def test_the_idempotency_key_header_can_carry_the_nonce(offer, device_client):
    body = asked(offer.lot.pk, token=pass_token())
    del body["nonce"]
    first = device_client.decide(body, HTTP_IDEMPOTENCY_KEY="k-1").json()
    assert (
        device_client.decide(body, HTTP_IDEMPOTENCY_KEY="k-1").json()["event_id"]
        == (first["event_id"])
    )
    response = device_client.decide(body | {"nonce": "k-2"}, HTTP_IDEMPOTENCY_KEY="k-3")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_nonce")
    response = device_client.decide(body)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_nonce")


def _error(response, status: int, code: str) -> dict:
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert set(response.json()) == {"code", "message", "fields"}
    return response.json()


def test_the_same_nonce_for_another_request_is_a_conflict(offer, device_client):
    device_client.decide(asked(offer.lot.pk, token=pass_token(), nonce="n-1"))
    body = _error(
        device_client.decide(asked(offer.lot.pk, token=pass_token(), nonce="n-1")),
        409,
        "nonce_reused",
    )
    assert list(body["fields"]) == ["nonce"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"token": "court"}, "malformed_token"),
        ({"token": "x" * 200}, "malformed_token"),
        ({"token": ["a" * 30]}, "malformed_token"),
        ({"plate": "A$C", "province": "QC"}, "invalid_plate"),
        ({"plate": "ABC123", "province": "XX"}, "invalid_province"),
        ({"plate": "ABC123"}, "invalid_request"),
        ({}, "invalid_request"),
        ({"token": "a" * 30, "plate": "ABC123", "province": "QC"}, "invalid_request"),
        ({"token": "a" * 30, "direction": "sideways"}, "invalid_direction"),
        ({"token": "a" * 30, "nonce": "a b"}, "invalid_nonce"),
        ({"token": "a" * 30, "device_time": "2026-11-02T08:00:00"}, "invalid_request"),
        ({"token": "a" * 30, "device_time": "0001-01-01T00:00:00+05:00"}, "invalid_request"),
        ({"token": "a" * 30, "lot": 10**30}, "invalid_request"),
        ({"token": "a" * 30, "lot": "²"}, "invalid_request"),
    ],
)
def test_malformed_requests_get_a_precise_400(offer, device_client, fields, code):
    body = _error(device_client.decide(asked(offer.lot.pk, **fields)), 400, code)
    assert body["fields"]
    assert AccessEvent.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(device_client):
    response = device_client.post(DECISIONS, "{nope", content_type="application/json")
    _error(response, 400, "malformed_json")
    response = device_client.post(
        DECISIONS, "a=b", content_type="application/x-www-form-urlencoded"
    )
    _error(response, 415, "unsupported_media_type")


def test_the_clock_skew_is_a_422_with_the_field(offer, device_client):
    late = (NOW - dt.timedelta(minutes=10)).isoformat()
    body = _error(
        device_client.decide(asked(offer.lot.pk, token=pass_token(), device_time=late)),
        422,
        "clock_skew",
    )
    assert list(body["fields"]) == ["device_time"]


def test_lots_the_device_does_not_serve(offer, device_client, other_organization):
    mine = ParkingLotFactory(organization=offer.organization, number="2000")
    with within(other_organization):
        theirs = ParkingLotFactory(organization=other_organization, number="1534")
    _error(device_client.decide(asked(mine.pk, token=pass_token())), 403, "lot_not_bound")
    unknown = _error(device_client.decide(asked(theirs.pk, token=pass_token())), 404, "unknown_lot")
    nowhere = _error(device_client.decide(asked(10**12, token=pass_token())), 404, "unknown_lot")
    assert unknown == nowhere  # nothing tells another institution's lot from no lot


def test_an_unknown_lane_is_a_422(offer):
    from tests.access.grants import device_of

    key = device_of(offer.lot, name="Entrée", lanes="E1, E2", at=NOW).key
    _error(
        DeviceClient(key).decide(asked(offer.lot.pk, token=pass_token(), lane="E3")),
        422,
        "unknown_lane",
    )


# --- Keys ----------------------------------------------------------------------------------


def test_without_a_key_the_answer_is_401_with_the_scheme(offer):
    response = Client().post(DECISIONS, asked(offer.lot.pk), content_type="application/json")
    _error(response, 401, "missing_key")
    assert response["WWW-Authenticate"] == 'Bearer realm="parcauto"'


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Basic dXNlcjpwYXNz", "Bearer ", "Token abc.def", "bearer"]
)
def test_a_bad_key_is_401_invalid_key(offer, header):
    response = Client(HTTP_AUTHORIZATION=header).post(
        DECISIONS, asked(offer.lot.pk), content_type="application/json"
    )
    _error(response, 401, "invalid_key")


def test_a_revoked_key_is_401_revoked_key(offer, gate):
    device_revoke(device=gate.device, actor=manager_of(offer.lot), now=NOW)
    _error(
        DeviceClient(gate.key).decide(asked(offer.lot.pk, token=pass_token())), 401, "revoked_key"
    )


def test_messages_follow_the_accept_language(offer):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9").post(
        DECISIONS, {}, content_type="application/json"
    )
    assert response.json()["message"].startswith("Authentication credentials")
    response = Client(HTTP_ACCEPT_LANGUAGE="fr-CA").post(
        DECISIONS, {}, content_type="application/json"
    )
    assert "authentification" in response.json()["message"].lower()


def test_the_key_decides_the_institution_on_any_host(offer, gate, other_organization):
    """On another institution's portal host, the request still works in the key's."""
    token = pass_token()
    grant_for(
        contract_of(offer, start=NOW.date()), token=token, contract_from=NOW - dt.timedelta(hours=1)
    )
    for host in ("cisso.testserver", "chus.testserver", "testserver"):
        response = DeviceClient(gate.key, HTTP_HOST=host).decide(asked(offer.lot.pk, token=token))
        assert response.json()["reason"] == "allowed", host


def test_a_device_is_throttled_past_its_rate(offer, device_client, settings):
    settings.PARCAUTO_API_DEVICE_RATE = "3/m/device"
    for _ in range(3):
        assert device_client.decide(asked(offer.lot.pk, token=pass_token())).status_code == 200
    response = device_client.decide(asked(offer.lot.pk, token=pass_token()))
    _error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert (
            device_client.decide(
                asked(
                    offer.lot.pk,
                    token=pass_token(),
                    device_time=(NOW + dt.timedelta(minutes=1)).isoformat(),
                )
            ).status_code
            == 200
        )


def test_other_urls_under_api_are_json_404s(device_client):
    _error(device_client.get("/api/v2/nothing"), 404, "not_found")
    _error(device_client.get(DECISIONS), 405, "method_not_allowed")


def test_only_json_is_served(device_client, offer):
    response = device_client.decide(
        asked(offer.lot.pk, token=pass_token()), HTTP_ACCEPT="text/html"
    )
    _error(response, 406, "not_acceptable")
