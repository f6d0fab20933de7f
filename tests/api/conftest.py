from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from parcauto.access.devices import IssuedKey
from tests.access.conftest import NOW
from tests.access.grants import device_of
from tests.offers import Offer, supervisor_offer

DECISIONS = "/api/v1/access/decisions"


@pytest.fixture
def offer(organization) -> Offer:
    return supervisor_offer(organization)


@pytest.fixture
def gate(offer) -> IssuedKey:
    return device_of(offer.lot, name="Barrière A", at=NOW - dt.timedelta(days=1))


class DeviceClient(Client):
    """A device: its key on every request, JSON bodies."""

    def __init__(self, key: str, **defaults: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {key}", **defaults)

    def decide(self, body: dict[str, Any], **headers: Any):
        return self.post(DECISIONS, body, content_type="application/json", **headers)


@pytest.fixture
def device_client(gate) -> DeviceClient:
    return DeviceClient(gate.key)


def asked(lot_id: int, **fields: Any) -> dict[str, Any]:
    """A decision request at NOW, entry, with a nonce per call unless given."""
    body = {
        "lot": lot_id,
        "direction": "entry",
        "device_time": NOW.isoformat(),
        "nonce": fields.pop("nonce", f"n{next(_nonces)}"),
    }
    return body | fields


_nonces = iter(range(1, 10**9))
