"""schemathesis over the whole OpenAPI schema of /api/: cases generated from the schema
(its examples, its boundaries, then random valid and invalid requests) sent to the app
through WSGI with a real device key. Every answer must be no server error, a status the
schema documents for the operation, of the documented type and shape (headers too), and
an invalid request must be refused.

Half the valid decision requests are sent at the server's time for the device's own lot,
so that they reach a decision (allowed, refused, replayed) and not only the clock check.
Derandomized: the same cases on every run.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parcauto.access.models import AccessEvent, Device
from tests.access.grants import contract_of, device_of, grant_for, pass_token
from tests.factories import OrganizationFactory
from tests.offers import supervisor_offer
from tests.scoping import within

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
EXAMPLES_PER_OPERATION = 150


@pytest.fixture
def gate(settings):
    """A lot with passes and plates in every state, its gate, and another institution's."""
    settings.PARCAUTO_API_DEVICE_RATE = "100000/m/device"
    home = OrganizationFactory(slug="chus", hostname="chus.testserver")
    other = OrganizationFactory(slug="cisso", hostname="cisso.testserver")
    now = timezone.now()
    with within(other):
        theirs = supervisor_offer(other, lot_number="1534")
        device_of(theirs.lot, at=now)
    with within(home):
        offer = supervisor_offer(home)
        contract = contract_of(offer, start=now.date() - dt.timedelta(days=3))
        for state in ("valid", "suspended", "cancelled", "revoked"):
            grant_for(
                contract, token=pass_token(), state=state, contract_from=now - dt.timedelta(days=3)
            )
        grant_for(contract, plate="ABC123", contract_from=now - dt.timedelta(days=3))
        grant_for(contract, plate="A8C124", contract_from=now - dt.timedelta(days=3))
        return device_of(offer.lot, lanes="E1, S1", at=now)


@pytest.fixture
def phone(gate):
    """The patrol phone of the same lot: plate checks are for phones and cameras."""
    return device_of(
        gate.device.lot, name="Téléphone 1", kind=Device.Kind.PATROL_PHONE, at=timezone.now()
    )


@pytest.fixture
def api_schema(gate):
    # The app is called in this thread, on the test's connection: the end of each request
    # must not close it (Django's test client does the same).
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")
_coin = random.Random(1085)


def _towards_the_devices_lot(case, lot_id: int) -> None:
    """Half the valid cases: the device's own lot, and for a decision the server's time."""
    if case.meta is None or case.meta.generation.mode.is_negative or _coin.random() < 0.5:
        return
    if isinstance(case.body, dict) and "device_time" in case.body:
        case.body["device_time"] = timezone.now().isoformat()
        case.body["lot"] = lot_id
    reads = case.body.get("reads") if isinstance(case.body, dict) else None
    for read in reads if isinstance(reads, list) else []:
        if isinstance(read, dict):
            read["read_at"] = timezone.now().isoformat()
            read["lot"] = lot_id
    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = lot_id


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, gate, phone):
    _towards_the_devices_lot(case, gate.device.lot_id)
    key = phone.key if case.path == "/api/v1/plates/checks" else gate.key
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


def test_a_request_as_the_schema_describes_it_is_decided(gate, api_schema):
    """The schema's own description of a request is enough to get a decision."""
    operation = api_schema["/api/v1/access/decisions"]["POST"]
    case = operation.Case(
        body={
            "lot": gate.device.lot_id,
            "token": pass_token(),
            "lane": "E1",
            "direction": "entry",
            "device_time": timezone.now().isoformat(),
            "nonce": "schemathesis-1",
        },
        media_type="application/json",
    )
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {gate.key}"}, checks=CHECKS
    )
    assert response.status_code == 200, response.json()
    with within(gate.device.organization):
        assert AccessEvent.objects.count() == 1
