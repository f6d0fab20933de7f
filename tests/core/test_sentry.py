"""Errors reach Sentry with the request id, and nothing personal: no e-mail address, card
number, cookie, body, query string, key in a path or local variable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from parcauto.core.logs import request_id_bound
from parcauto.core.sentry import event_scrub, sentry_init

DSN = "https://public@sentry.example/1"
KEY = "MQ:1tVqXz:Zk3n9QwErTyUiOpAsDfGhJkL"


class Captured(Transport):
    """Keeps the events instead of sending them."""

    events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            Captured.events.append(event)


@pytest.fixture
def reported() -> Iterator[list[dict[str, Any]]]:
    Captured.events = []
    sentry_init(dsn=DSN, environment="test", transport=Captured)
    yield Captured.events
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


@pytest.mark.django_db
def test_a_failing_page_is_reported_without_anything_personal(settings, reported):
    settings.ROOT_URLCONF = "tests.core.sentry_urls"
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "s3ss10n"
    response = client.get(
        f"/boom/{KEY}/?email=marie@example.com",
        HTTP_X_REQUEST_ID="req-0123456789abcdef",
        HTTP_AUTHORIZATION="Bearer t0k3n-secret",
    )
    assert response.status_code == 500

    [event] = reported
    text = json.dumps(event)
    for secret in ("4242", "marie", "s3ss10n", "t0k3n", KEY):
        assert secret not in text, secret
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["exception"]["values"][-1]["value"] == "refused [redacted] for [redacted]"
    assert event["tags"]["request_id"] == "req-0123456789abcdef"
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)


def test_the_scrubber_keeps_of_the_request_and_the_user_only_what_is_harmless():
    event = {
        "request": {
            "method": "POST",
            "url": "https://chus.parcauto.ca/accounts/password/reset/key/4-cqz8e1a5f6b9c0d1e2f3/",
            "query_string": "next=/x",
            "data": {"card_number": "4242424242424242"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "Firefox", "X-Request-Id": "r1"},
            "env": {"REMOTE_ADDR": "10.0.0.1"},
        },
        "user": {"id": "42", "email": "marie@example.com", "ip_address": "10.0.0.1"},
        "breadcrumbs": {"values": [{"message": "mail to jean@example.com: 5454-5454-5454-5454"}]},
    }
    with request_id_bound("req-0123456789abcdef"):
        scrubbed = event_scrub(event, {})
    assert scrubbed["request"] == {
        "method": "POST",
        "url": "https://chus.parcauto.ca/accounts/password/reset/key/[redacted]/",
        "headers": {"User-Agent": "Firefox", "X-Request-Id": "r1"},
    }
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["tags"] == {"request_id": "req-0123456789abcdef"}
    assert scrubbed["breadcrumbs"]["values"][0]["message"] == "mail to [redacted]: [redacted]"


def test_a_malformed_dsn_stops_the_settings():
    with pytest.raises(ImproperlyConfigured, match="SENTRY_DSN is malformed"):
        sentry_init(dsn="sentry.example/1", environment="test")
