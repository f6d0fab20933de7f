"""`POST /api/v1/plates/checks`: batches, idempotent reads, lots, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from parcauto.access.models import Device
from parcauto.enforcement.models import PlateCheck
from tests.access.grants import device_of
from tests.enforcement.checking import DAY, HOUR, NOW, contract_number, monthly_offer, permit
from tests.factories import ParkingLotFactory
from tests.scoping import within

from .conftest import DeviceClient

CHECKS = "/api/v1/plates/checks"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def offer(organization):
    return monthly_offer(organization)


def key_of(lot, kind: str, name: str) -> str:
    return device_of(lot, name=name, kind=kind, at=NOW - DAY).key


@pytest.fixture
def camera(offer) -> DeviceClient:
    return DeviceClient(key_of(offer.lot, Device.Kind.PLATE_CAMERA, "Caméra 2"))


@pytest.fixture
def phone(offer) -> DeviceClient:
    return DeviceClient(key_of(offer.lot, Device.Kind.PATROL_PHONE, "Téléphone 1"))


def send(client: DeviceClient, *reads: dict[str, Any]):
    return client.post(CHECKS, {"reads": list(reads)}, content_type="application/json")


def read(read_id: str, plate: str, **fields: Any) -> dict[str, Any]:
    return {"read_id": read_id, "plate": plate, "province": "QC"} | fields


def test_a_batch_is_answered_in_order(camera, offer) -> None:
    valid = permit(offer, "ABC123", valid_until=NOW + 30 * DAY)
    lookalike = permit(offer, "XYZ788")
    answer = send(
        camera,
        read("cam2-1", "abc 123", confidence=0.93, read_at=NOW.isoformat(), camera="cam-2"),
        read("cam2-2", "XYZ 78B"),
        read("cam2-3", "XYZ789"),
    )
    assert answer.status_code == 200, answer.json()
    first, second, third = answer.json()["results"]
    assert first["plate"] == "ABC123" and first["province"] == "QC"
    assert (first["verdict"], first["reason"], first["possible"]) == (
        "valid",
        "valid_permit",
        False,
    )
    assert first["contract"] == contract_number(valid)
    assert dt.datetime.fromisoformat(first["valid_until"]) == NOW + 30 * DAY
    assert (second["verdict"], second["reason"], second["possible"]) == (
        "not_valid",
        "no_permit",
        True,
    )
    assert second["plate"] == "XYZ78B" and second["contract"] is None
    assert second["candidates"] == [
        {"plate": "XYZ788", "province": "QC", "edits": 1, "contract": contract_number(lookalike)}
    ]
    assert (third["reason"], third["possible"], third["candidates"]) == ("no_permit", False, [])
    stored = PlateCheck.objects.get(pk=first["check_id"])
    assert (stored.source, stored.camera, str(stored.confidence)) == ("device", "cam-2", "0.930")


def test_a_read_sent_again_gets_its_stored_answer(camera, offer) -> None:
    first = send(camera, read("cam2-9", "ABC123")).json()["results"][0]
    permit(offer, "ABC123")
    with time_machine.travel(NOW + HOUR, tick=False):
        again = send(camera, read("cam2-9", "ABC123"), read("cam2-10", "ABC123"))
    assert again.status_code == 200
    replayed, fresh = again.json()["results"]
    assert replayed == first and replayed["reason"] == "no_permit"
    assert fresh["reason"] == "valid_permit"
    assert PlateCheck.objects.count() == 2


def test_a_camera_checks_its_own_lot_only(camera, offer, organization) -> None:
    elsewhere = ParkingLotFactory(organization=organization, number="2400")
    answer = send(camera, read("c-1", "ABC123", lot=elsewhere.pk))
    assert answer.status_code == 403
    assert answer.json()["code"] == "lot_not_bound"
    assert answer.json()["fields"] == {"reads.0.lot": [answer.json()["message"]]}
    assert not PlateCheck.objects.exists()


def test_a_patrol_phone_checks_any_lot_of_its_institution(phone, offer, organization) -> None:
    elsewhere = ParkingLotFactory(organization=organization, number="2400")
    permit(offer, "ABC123", lot=elsewhere)
    answer = send(phone, read("p-1", "ABC123", lot=elsewhere.pk), read("p-2", "ABC123"))
    assert answer.status_code == 200
    assert [r["reason"] for r in answer.json()["results"]] == ["valid_permit", "wrong_lot"]
    assert list(PlateCheck.objects.values_list("lot_id", flat=True).order_by("pk")) == [
        elsewhere.pk,
        offer.lot.pk,
    ]


def test_another_institutions_lot_is_unknown_and_nothing_is_checked(
    phone, offer, other_organization
) -> None:
    theirs = monthly_offer(other_organization)
    answer = send(phone, read("p-1", "ABC123"), read("p-2", "ABC123", lot=theirs.lot.pk))
    assert answer.status_code == 404
    assert answer.json()["code"] == "unknown_lot"
    assert not PlateCheck.objects.exists()
    with within(other_organization):
        assert not PlateCheck.objects.exists()


def test_a_gate_reader_may_not_check_plates(offer) -> None:
    gate = DeviceClient(key_of(offer.lot, Device.Kind.GATE_READER, "Barrière A"))
    answer = send(gate, read("g-1", "ABC123"))
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert not PlateCheck.objects.exists()


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"reads": []}, "invalid_request", "reads"),
        ({"reads": [read(f"r{i}", "ABC123") for i in range(101)]}, "invalid_request", "reads"),
        ({"reads": [read("r1", "AB*123")]}, "invalid_request", "reads"),
        ({"reads": [read("r1", "ABCDEFGHIJ")]}, "invalid_plate", "reads.0.plate"),
        ({"reads": [read("r1", "ABC123", province="XX")]}, "invalid_request", "reads"),
        ({"reads": [read("r1", "ABC123", confidence=1.5)]}, "invalid_request", "reads"),
        ({"reads": [read("r 1", "ABC123")]}, "invalid_request", "reads"),
        ({"reads": [read("r1", "ABC123", read_at="yesterday")]}, "invalid_request", "reads"),
        ({"plate": "ABC123"}, "invalid_request", "reads"),
    ],
)
def test_bad_input_is_refused_with_the_error_shape(camera, body, code, field) -> None:
    answer = camera.post(CHECKS, body, content_type="application/json")
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == code
    assert set(answer.json()) == {"code", "message", "fields"}
    assert field in answer.json()["fields"]
    assert not PlateCheck.objects.exists()


def test_a_read_from_the_future_is_refused(camera) -> None:
    answer = send(camera, read("r1", "ABC123", read_at=(NOW + HOUR).isoformat()))
    assert answer.status_code == 422
    assert answer.json()["code"] == "clock_skew" and "reads.0.read_at" in answer.json()["fields"]


def test_a_read_without_a_key_is_refused(offer) -> None:
    answer = Client().post(
        CHECKS, {"reads": [read("r1", "ABC123")]}, content_type="application/json"
    )
    assert answer.status_code == 401 and answer.json()["code"] == "missing_key"
