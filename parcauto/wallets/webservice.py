"""Apple's PassKit web service: the phones that hold a pass register, ask what changed,
and fetch the new version (https://<portal>/wallet/apple/v1/...).

The portal's host names the institution (its scope is entered by the middleware), so a
phone only ever reaches its own institution's passes. The pass's `authenticationToken`
(`Authorization: ApplePass <token>`) guards everything but the list of changed serial
numbers, which Apple sends without it. Answers are the spec's: 200/201 registered,
200 unregistered, 204 nothing changed, 304 not modified, 401 wrong or missing token, 404
unknown pass type, device or route; bad input is a 400, never a 5xx. Calls are counted
per address, failed authentications apart (`wallet_service`, `wallet_auth`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcauto.access.models import AccessPass
from parcauto.core.clock import now
from parcauto.core.http import TenantRequest
from parcauto.core.params import parse_int
from parcauto.core.ratelimit import rate_limit_check, rate_limit_hit

from .apple.pkpass import CONTENT_TYPE
from .apple.push import PUSH_TOKEN
from .credentials import apple_credentials
from .errors import WalletUnavailable
from .selectors import pass_by_serial, passes_changed_for_device
from .services import apple_pass_build, apple_registration_delete, apple_registration_save
from .tokens import authentication_matches

logger = logging.getLogger(__name__)

DEVICE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_AUTHORIZATION = re.compile(r"ApplePass ([A-Za-z0-9._~+/=-]{1,200})")
_MAX_BODY = 64 * 1024
_MAX_LOGS = 20
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_TAG = 10**17  # microseconds since 1970: beyond year 5000


def _status(status: HTTPStatus) -> HttpResponse:
    return HttpResponse(status=status)


def passkit_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A PassKit endpoint: on an institution's portal with Apple Wallet configured, for a
    pass type that is ours and a well-formed device id; counted per address."""

    @wraps(view)
    def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        credentials = apple_credentials()
        if getattr(request, "organization", None) is None or credentials is None:
            return _status(HTTPStatus.NOT_FOUND)
        rate_limit_hit(request, action="wallet_service")
        if kwargs.get("pass_type", credentials.pass_type_id) != credentials.pass_type_id:
            return _status(HTTPStatus.NOT_FOUND)
        if not DEVICE.fullmatch(kwargs.get("device", "-")):
            return _status(HTTPStatus.NOT_FOUND)
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _authorized_pass(request: TenantRequest, serial: str) -> AccessPass | None:
    """The pass, if the request carries its authentication token; a failure is counted."""
    rate_limit_check(request, action="wallet_auth")
    match = _AUTHORIZATION.fullmatch(request.headers.get("Authorization", ""))
    access_pass = pass_by_serial(serial)
    if match and access_pass is not None and authentication_matches(access_pass, match[1]):
        return access_pass
    rate_limit_hit(request, action="wallet_auth")
    return None


def _unauthorized() -> HttpResponse:
    response = _status(HTTPStatus.UNAUTHORIZED)
    response["WWW-Authenticate"] = "ApplePass"
    return response


def _json_body(request: TenantRequest) -> dict[str, Any] | None:
    if len(request.body) > _MAX_BODY:
        return None
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@passkit_view
@require_http_methods(["POST", "DELETE"])
def registration(
    request: TenantRequest, device: str, pass_type: str, serial: str
) -> HttpResponseBase:
    """POST: register the device for the pass (201, or 200 if it was); DELETE: forget it."""
    access_pass = _authorized_pass(request, serial)
    if access_pass is None:
        return _unauthorized()
    if request.method == "DELETE":
        deleted = apple_registration_delete(
            access_pass=access_pass, device_library_identifier=device
        )
        return _status(HTTPStatus.OK if deleted else HTTPStatus.NOT_FOUND)
    body = _json_body(request)
    push_token = body.get("pushToken") if body else None
    if not isinstance(push_token, str) or not PUSH_TOKEN.fullmatch(push_token):
        return _status(HTTPStatus.BAD_REQUEST)
    created = apple_registration_save(
        access_pass=access_pass, device_library_identifier=device, push_token=push_token
    )
    return _status(HTTPStatus.CREATED if created else HTTPStatus.OK)


def _tag(moment: dt.datetime) -> str:
    return str((moment - _EPOCH) // dt.timedelta(microseconds=1))


def _since(tag: str | None) -> dt.datetime | None:
    """The moment a tag we handed out stands for; a tag we never made reads as none."""
    microseconds = parse_int(tag, minimum=0, maximum=_MAX_TAG) if tag is not None else None
    return None if microseconds is None else _EPOCH + dt.timedelta(microseconds=microseconds)


@passkit_view
@require_GET
def changed_serials(request: TenantRequest, device: str, pass_type: str) -> HttpResponseBase:
    """The serial numbers of the device's passes changed since the tag, and a new tag."""
    changed = passes_changed_for_device(
        device_library_identifier=device, since=_since(request.GET.get("passesUpdatedSince"))
    )
    if not changed:
        return _status(HTTPStatus.NO_CONTENT)
    return JsonResponse(
        {
            "serialNumbers": [str(serial) for serial, _ in changed],
            "lastUpdated": _tag(max(moment for _, moment in changed)),  # a string, as Apple wants
        }
    )


@passkit_view
@require_GET
def latest_pass(request: TenantRequest, pass_type: str, serial: str) -> HttpResponseBase:
    """The pass as it is now, or 304 if it has not changed since If-Modified-Since."""
    access_pass = _authorized_pass(request, serial)
    if access_pass is None:
        return _unauthorized()
    # HTTP dates count whole seconds: of two changes within one second with a fetch
    # between them, the second waits for the next change (or a pull to refresh).
    last_modified = int(access_pass.changed_at.timestamp())
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if since is not None and last_modified <= since:
        return _status(HTTPStatus.NOT_MODIFIED)
    try:
        data = apple_pass_build(access_pass=access_pass, now=now())
    except WalletUnavailable:  # its token no longer opens: nothing to send until regenerated
        return _status(HTTPStatus.NOT_FOUND)
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, no-cache"
    return response


@passkit_view
@require_POST
def log(request: TenantRequest) -> HttpResponseBase:
    """What the phones report going wrong with our passes, kept in the server's log."""
    body = _json_body(request)
    logs = body.get("logs") if body else None
    if not isinstance(logs, list):
        return _status(HTTPStatus.BAD_REQUEST)
    for message in logs[:_MAX_LOGS]:
        logger.warning("Apple Wallet: %.500s", message if isinstance(message, str) else "?")
    return _status(HTTPStatus.OK)
