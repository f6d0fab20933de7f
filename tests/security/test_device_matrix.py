"""The API's authorization matrix: every /api/ URL by every kind of device caller, one
request per cell, against `expectations.DEVICE_MATRIX`. The nine people's roles get the
API's URLs in `test_matrix` (no session opens it: 401)."""

from __future__ import annotations

import secrets

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from .arguments import arguments_for
from .expectations import DEVICE_MATRIX
from .outcomes import Outcome
from .routes import url_routes
from .world import CALLERS, Caller, World

pytestmark = pytest.mark.django_db

ROUTES = {route.key: route for route in url_routes()}


def test_every_api_url_is_declared_for_devices():
    assert sorted(key for key in ROUTES if key.startswith("api:")) == sorted(DEVICE_MATRIX)


def _ask(world: World, caller: Caller, key: str) -> Outcome:
    entry, fill = DEVICE_MATRIX[key], arguments_for(key)
    path = ROUTES[key].path(fill(world) if fill else {})
    headers = {}
    if caller is not Caller.NO_KEY:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.devices[caller].key}"
    client = Client(**headers)
    with transaction.atomic():
        if key == "api:plate_checks":
            read = {"read_id": secrets.token_hex(8), "plate": "ABC123", "province": "QC"}
            body = {"reads": [read | {"lot": world.contract.lot_id}]}
            response = client.post(path, body, content_type="application/json")
        elif entry.method == "post":
            body = {
                "lot": world.contract.lot_id,
                "token": secrets.token_urlsafe(24),
                "direction": "entry",
                "device_time": timezone.now().isoformat(),
                "nonce": secrets.token_hex(8),
            }
            response = client.post(path, body, content_type="application/json")
        else:
            response = client.get(path)
        transaction.set_rollback(True)
    return Outcome(response.status_code)


@pytest.mark.parametrize("key", sorted(DEVICE_MATRIX))
def test_each_caller_gets_what_the_matrix_declares(world, key):
    wrong = []
    for caller in CALLERS:
        expected, got = DEVICE_MATRIX[key].outcomes[caller], _ask(world, caller, key)
        if got != expected:
            wrong.append(f"{caller}: {key} answered {got}, not {expected}")
    assert wrong == []
