"""Device requests take the API's own middleware chain (parcauto.api.middleware)."""

from __future__ import annotations

import pytest

from tests.access.conftest import NOW  # noqa: F401 - frozen_now stops the clock there

from .conftest import DeviceClient, asked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_a_device_request_skips_the_sites_chain_and_keeps_https_and_the_log(
    device_client: DeviceClient, offer
) -> None:
    answer = device_client.decide(asked(offer.lot.pk, plate="ABC123", province="QC"))
    assert answer.status_code == 200
    assert answer["X-Request-ID"]  # the request log, before the split
    assert answer["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware, in both
    assert "Content-Security-Policy" not in answer  # the site's pages' header
    assert not answer.cookies  # no session, no CSRF cookie
    docs = device_client.get("/api/schema/")  # not a device URL: the site's chain
    assert "Content-Security-Policy" in docs


def test_the_device_chain_still_checks_the_host(device_client: DeviceClient, offer) -> None:
    answer = device_client.decide(asked(offer.lot.pk), HTTP_HOST="attacker.example")
    assert answer.status_code == 400


def test_an_unknown_device_url_is_the_apis_json_404(device_client: DeviceClient) -> None:
    answer = device_client.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
