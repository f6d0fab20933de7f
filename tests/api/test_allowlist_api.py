"""GET /api/v1/lots/{id}/allowlist: the full list, its ETag, and deltas with removals."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from parcauto.access.models import AccessGrant
from tests.access.conftest import NOW
from tests.access.grants import contract_of, grant_change, grant_for, pass_token, token_hash
from tests.factories import ParkingLotFactory
from tests.scoping import within

from .conftest import DeviceClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

DAY = dt.timedelta(days=1)


def url(lot_id: object) -> str:
    return f"/api/v1/lots/{lot_id}/allowlist"


def read(response) -> dict:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def grants(offer):
    """A valid pass, a plate not in effect yet, an expired plate, a cancelled pass."""
    contract = contract_of(offer, start=NOW.date() - dt.timedelta(days=30))
    token = pass_token()
    return {
        "pass": grant_for(contract, token=token, contract_from=NOW - 30 * DAY),
        "new plate": grant_for(
            contract, plate="NEW123", contract_from=NOW - 30 * DAY, valid_from=NOW + DAY
        ),
        "old plate": grant_for(
            contract, plate="OLD123", contract_from=NOW - 30 * DAY, valid_until=NOW - DAY
        ),
        "cancelled": grant_for(
            contract,
            token=pass_token(),
            contract_from=NOW - 30 * DAY,
            state=AccessGrant.State.CANCELLED,
        ),
        "token": token,
    }


def test_the_full_list_holds_the_valid_grants_not_yet_over(offer, device_client, grants):
    body = read(device_client.get(url(offer.lot.pk)))
    assert (body["lot"], body["since"], body["removed"]) == (offer.lot.pk, None, [])
    assert [row["id"] for row in body["grants"]] == [grants["pass"].pk, grants["new plate"].pk]
    first = body["grants"][0]
    assert first == {
        "id": grants["pass"].pk,
        "kind": "pass",
        "credential": token_hash(grants["token"]),
        "jurisdiction": "",
        "contract_from": (NOW - 30 * DAY).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "valid_from": (NOW - 30 * DAY).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "valid_until": None,
        "state": "valid",
        "revision": grants["pass"].revision,
    }
    assert body["grants"][1]["credential"] == "NEW123"
    assert body["revision"] == grants["cancelled"].revision


def test_the_etag_answers_304_until_something_changes(offer, device_client, grants):
    first = device_client.get(url(offer.lot.pk))
    etag = first["ETag"]
    again = device_client.get(url(offer.lot.pk), HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again["ETag"], again.content) == (304, etag, b"")
    grant_change(grants["pass"], state=AccessGrant.State.SUSPENDED)
    changed = device_client.get(url(offer.lot.pk), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_grant_running_out_changes_the_etag(offer, device_client, grants):
    grant_change(grants["pass"], valid_until=NOW + dt.timedelta(hours=1))
    etag = device_client.get(url(offer.lot.pk))["ETag"]
    import time_machine

    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        later = device_client.get(url(offer.lot.pk), HTTP_IF_NONE_MATCH=etag)
    assert later.status_code == 200
    assert [row["credential"] for row in read(later)["grants"]] == ["NEW123"]


def test_a_delta_holds_what_changed_since_with_removals(offer, device_client, grants):
    revision = read(device_client.get(url(offer.lot.pk)))["revision"]
    empty = read(device_client.get(url(offer.lot.pk), {"since": revision}))
    assert (empty["grants"], empty["removed"], empty["revision"]) == ([], [], revision)

    grant_change(grants["pass"], state=AccessGrant.State.REVOKED)  # "Régénérer mon code"
    added = grant_for(grants["pass"].subscription, token=pass_token(), contract_from=NOW)
    delta = read(device_client.get(url(offer.lot.pk), {"since": revision}))
    assert [row["id"] for row in delta["grants"]] == [added.pk]
    assert [(row["id"], row["state"]) for row in delta["removed"]] == [
        (grants["pass"].pk, "revoked")
    ]
    assert delta["revision"] == added.revision
    assert read(device_client.get(url(offer.lot.pk), {"since": delta["revision"]}))["grants"] == []


def test_a_delta_has_its_own_etag(offer, device_client, grants):
    first = device_client.get(url(offer.lot.pk), {"since": 0})
    same = device_client.get(url(offer.lot.pk), {"since": 0}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304


@pytest.mark.parametrize("since", ["-1", "abc", "١٢", "9" * 30, ""])
def test_a_cursor_that_is_not_a_revision_is_a_400(offer, device_client, since):
    response = device_client.get(url(offer.lot.pk), {"since": since})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


def test_only_the_devices_own_lot(offer, device_client, other_organization):
    mine = ParkingLotFactory(organization=offer.organization, number="2000")
    with within(other_organization):
        theirs = ParkingLotFactory(organization=other_organization, number="1534")
    assert device_client.get(url(mine.pk)).json()["code"] == "lot_not_bound"
    for lot_id in (theirs.pk, 10**30, "abc", "0"):
        response = device_client.get(url(lot_id))
        assert (response.status_code, response.json()["code"]) == (404, "unknown_lot"), lot_id


def test_another_institutions_grants_never_appear(offer, device_client, other_organization):
    """Even with the same lot number and the same plate."""
    from tests.offers import supervisor_offer

    theirs = supervisor_offer(other_organization, lot_number=offer.lot.number)
    with within(other_organization):
        grant_for(contract_of(theirs, start=NOW.date()), plate="ABC123", contract_from=NOW)
    assert read(device_client.get(url(offer.lot.pk)))["grants"] == []


def test_without_a_key_nothing_is_listed(offer, grants):
    response = DeviceClient("0" * 16 + "." + "a" * 43).get(url(offer.lot.pk))
    assert (response.status_code, response.json()["code"]) == (401, "invalid_key")
