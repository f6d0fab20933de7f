"""Errors to Sentry (SENTRY_DSN), with nothing personal in them.

Sentry gets an error's type, message and stack, the request's method and redacted path,
the account's id and the request id, and nothing else: no local variables (a card
number, a bank account may be one), no request body, cookies, query string or headers
but a few harmless ones, and every e-mail address or card-like number left in a text
(an exception message, a log message, a breadcrumb) replaced.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint
from sentry_sdk.utils import BadDsn, Dsn

from .logs import path_redacted, request_id_current, text_scrubbed

_HEADERS = {"Host", "User-Agent", "Content-Type", "Content-Length", "X-Request-Id"}


def sentry_init(*, dsn: str, environment: str, **options: Any) -> None:
    """Start reporting to `dsn` (`options`: more of sentry_sdk.init's, e.g. a transport)."""
    try:
        Dsn(dsn)
    except BadDsn as error:
        raise ImproperlyConfigured(f"SENTRY_DSN is malformed: {error}") from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        # What send_default_pii=False meant, in the SDK's current words, and less: no local
        # variables, cookies, bodies, query strings, SQL parameters, and a few headers.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        before_send=event_scrub,
        before_breadcrumb=lambda crumb, hint: _scrubbed(crumb),
        **options,
    )


def event_scrub(event: Event, hint: Hint) -> Event:
    """before_send: the event, keeping of the request and the user only what is harmless."""
    request = event.get("request")
    if isinstance(request, dict):
        url = urlsplit(str(request.get("url", "")))
        headers = request.get("headers")
        headers = headers if isinstance(headers, dict) else {}
        event["request"] = {
            "method": request.get("method"),
            "url": urlunsplit((url.scheme, url.netloc, path_redacted(url.path), "", "")),
            "headers": {name: value for name, value in headers.items() if name.title() in _HEADERS},
        }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    if request_id := request_id_current():
        event.setdefault("tags", {})["request_id"] = request_id
    scrubbed: Event = _scrubbed(event)
    return scrubbed


def _scrubbed(value: Any) -> Any:
    """`value` with each of its texts scrubbed (`core.logs.text_scrubbed`)."""
    if isinstance(value, str):
        return text_scrubbed(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value
