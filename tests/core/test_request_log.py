"""One JSON line per request, with its id, and nothing secret in it."""

from __future__ import annotations

import json
import logging
import re

import pytest

from parcauto.core.logs import JsonFormatter
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def lines(caplog):
    """The request lines logged, as the JSON formatter writes them."""
    caplog.set_level(logging.INFO, logger="parcauto.request")
    formatter = JsonFormatter()

    def read() -> list[dict]:
        return [
            json.loads(formatter.format(record))
            for record in caplog.records
            if record.name == "parcauto.request"
        ]

    return read


def test_each_request_is_one_line_with_what_it_was_and_how_it_went(client, lines):
    response = client.get("/healthz/")
    [line] = lines()
    assert line["message"] == "request"
    assert line["level"] == "INFO"
    assert {key: line[key] for key in ("method", "path", "route", "status", "query")} == {
        "method": "GET",
        "path": "/healthz/",
        "route": "healthz",
        "status": 200,
        "query": [],
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["organization"] is None and line["user_id"] is None
    assert line["request_id"] == response["X-Request-ID"]
    assert HEX_ID.fullmatch(line["request_id"])


def test_an_upstream_request_id_is_kept_when_well_formed(client, lines):
    given = "7f3c9e2a-5b1d-4c8e-9f0a-1b2c3d4e5f60"
    assert client.get("/healthz/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    assert lines()[0]["request_id"] == given


@pytest.mark.parametrize("given", ["short", "a b c d e f g h", "x" * 200, "id\u00e9-0123456789"])
def test_a_malformed_request_id_is_replaced(client, lines, given):
    answered = client.get("/healthz/", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert HEX_ID.fullmatch(answered)
    assert lines()[0]["request_id"] == answered


def test_every_request_gets_its_own_id(client):
    assert client.get("/healthz/")["X-Request-ID"] != client.get("/healthz/")["X-Request-ID"]


def test_query_values_are_never_logged_only_plain_names(client, lines):
    client.get("/healthz/?next=/profil/&token=s3cr3t&marie@example.com=1&page=2")
    line = lines()[0]
    assert line["query"] == ["next", "page", "token"]
    assert "s3cr3t" not in json.dumps(line) and "marie" not in json.dumps(line)


def test_a_key_in_the_path_is_redacted(portal_client, lines):
    key = "MQ:1tVqXz:Zk3n9QwErTyUiOpAsDfGhJkL"
    portal_client.get(f"/accounts/confirm-email/{key}/")
    reset = "4-cqz8e1-a5f6b9c0d1e2f3a4b5c6"
    portal_client.get(f"/accounts/password/reset/key/{reset}/")
    confirm, reset_line = lines()
    assert confirm["path"] == "/accounts/confirm-email/[redacted]/"
    assert reset_line["path"] == "/accounts/password/reset/key/[redacted]/"
    assert key not in json.dumps(confirm) and "a5f6b9c0" not in json.dumps(reset_line)


def test_the_institution_and_the_account_are_named_by_slug_and_id_only(portal_client, lines):
    person = ProfileFactory(user=UserFactory(email="marie@example.com")).user
    portal_client.force_login(person)
    portal_client.get("/tableau-de-bord/")
    line = lines()[-1]
    assert (line["organization"], line["user_id"], line["route"]) == (
        "chus",
        person.pk,
        "portal:dashboard",
    )
    assert "marie" not in json.dumps(line)


def test_a_request_no_url_answers_is_unmatched(client, lines):
    response = client.get("/healthz/", HTTP_HOST="unknown.example")
    assert response.status_code in (400, 404)
    line = lines()[0]
    assert (line["route"], line["status"]) == ("unmatched", response.status_code)


def test_a_line_is_not_logged_when_info_is_off(client, caplog):
    caplog.set_level(logging.WARNING, logger="parcauto.request")
    assert client.get("/healthz/")["X-Request-ID"]
    assert not [record for record in caplog.records if record.name == "parcauto.request"]
