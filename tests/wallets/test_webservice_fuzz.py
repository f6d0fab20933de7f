"""Odd input to the PassKit web service, with the pass's valid token: never a 5xx, and
only the statuses the spec names."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcauto.wallets.tokens import authentication_token
from tests.security.values import VALUES

from .passes import active_contract, pass_issued

pytestmark = pytest.mark.django_db

TYPE = "pass.ca.parcauto.dev"
OWN_SERIAL = "<the pass's own>"
ANSWERS = {200, 201, 204, 304, 400, 401, 404, 405, 429}

segments = st.one_of(
    st.just("a1b2c3d4"),
    st.text(max_size=80),
    st.sampled_from(["..", "%00", "a" * 65, "é", "\u202e", TYPE]),
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(
        json.dumps,
        st.dictionaries(
            st.sampled_from(["pushToken", "logs", "x"]),
            VALUES["text"] | st.lists(st.text(max_size=20), max_size=3) | st.integers(),
        ),
    ),
)
headers = st.one_of(
    st.none(),
    st.text(max_size=100),
    st.sampled_from(["ApplePass ", "ApplePass \x00", "applepass x", "ApplePass " + "f" * 300]),
)


@pytest.fixture
def access_pass(organization):
    return pass_issued(active_contract(organization))


def _quoted(text: str) -> str:
    return urllib.parse.quote(text, safe="") or "-"


def _send(access_pass, method, device, pass_type, serial, body, header, tag) -> int:
    phone = Client(HTTP_HOST="chus.testserver")
    if serial == OWN_SERIAL:
        serial = str(access_pass.serial_number)
    extra = {}
    if header is not False:
        extra["HTTP_AUTHORIZATION"] = (
            f"ApplePass {authentication_token(access_pass)}" if header is None else header
        )
    if tag is not None:
        extra["QUERY_STRING"] = urllib.parse.urlencode({"passesUpdatedSince": tag})
    paths = {
        "list": f"devices/{_quoted(device)}/registrations/{_quoted(pass_type)}",
        "pass": f"passes/{_quoted(pass_type)}/{_quoted(serial)}",
        "log": "log",
    }
    cache.clear()  # each case gets the whole rate-limit budget: the fuzz is not about it
    sent = {} if method == "get" else {"data": body, "content_type": "application/json"}
    paths["registration"] = f"{paths['list']}/{_quoted(serial)}"
    with transaction.atomic():
        status = 0
        for path in paths.values():
            response = getattr(phone, method)(f"/wallet/apple/v1/{path}", **sent, **extra)
            assert response.status_code in ANSWERS, (method, path, response.status_code)
            status = response.status_code
        transaction.set_rollback(True)
    return status


@settings(
    max_examples=80,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    method=st.sampled_from(["get", "post", "delete", "put"]),
    device=segments,
    pass_type=st.one_of(st.just(TYPE), segments),
    serial=st.one_of(st.just(OWN_SERIAL), segments),
    body=bodies,
    header=st.one_of(st.just(False), headers),
    tag=st.one_of(st.none(), VALUES["text"], st.integers().map(str)),
)
def test_no_input_answers_a_server_error(
    access_pass, method, device, pass_type, serial, body, header, tag
):
    _send(access_pass, method, device, pass_type, serial, body, header, tag)


def test_the_pass_s_own_serial_with_odd_bodies_never_fails(access_pass):
    serial = str(access_pass.serial_number)
    for body in [b"\xff\xfe", b"{}" * 40_000, b'{"pushToken": "' + b"a" * 10_000 + b'"}', b"null"]:
        _send(access_pass, "post", "a1b2c3d4", TYPE, serial, body, None, None)
