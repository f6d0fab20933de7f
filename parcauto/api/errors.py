"""Every error of the API has one shape: `{"code", "message", "fields"}`.

`code` is stable (devices branch on it), `message` is for people, in the language of the
request's Accept-Language (French unless English is preferred), and `fields` maps an
input to its messages (empty when no input is at fault). The codes and their statuses
are listed here once: the exception handler answers with them and the OpenAPI schema
documents them (`schema.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.response import Response

from parcauto.access.decisions import DecisionError
from parcauto.access.devices import DeviceError

from .languages import request_language

# code -> (status, what it means), for the handler and the schema's descriptions.
ERRORS: dict[str, tuple[int, Any]] = {
    "invalid_request": (400, gettext_lazy("A field is missing or malformed: see `fields`.")),
    "malformed_json": (400, gettext_lazy("The body is not valid JSON.")),
    "malformed_token": (400, gettext_lazy("The token cannot be a pass code.")),
    "invalid_plate": (400, gettext_lazy("The plate has other characters than A-Z and 0-9.")),
    "invalid_province": (400, gettext_lazy("The province or state is not a known code.")),
    "invalid_direction": (400, gettext_lazy("The direction is neither entry nor exit.")),
    "invalid_nonce": (400, gettext_lazy("The nonce is missing or malformed.")),
    "invalid_cursor": (400, gettext_lazy("The `since` revision is not a whole number.")),
    "missing_key": (401, gettext_lazy("No `Authorization: Bearer <key>` header.")),
    "invalid_key": (401, gettext_lazy("The key is malformed, unknown or wrong.")),
    "revoked_key": (401, gettext_lazy("The device was revoked.")),
    "lot_not_bound": (403, gettext_lazy("The lot is not the device's own.")),
    "forbidden": (403, gettext_lazy("This device may not do this.")),
    "unknown_lot": (404, gettext_lazy("No such lot for this device (nor for another one).")),
    "not_found": (404, gettext_lazy("No such URL in the API.")),
    "method_not_allowed": (405, gettext_lazy("The URL does not answer this method.")),
    "not_acceptable": (406, gettext_lazy("The API answers in JSON only.")),
    "nonce_reused": (409, gettext_lazy("The nonce was used for another request.")),
    "unsupported_media_type": (415, gettext_lazy("Send the body as application/json.")),
    "unknown_lane": (422, gettext_lazy("The device serves no lane by that name.")),
    "clock_skew": (422, gettext_lazy("The device's clock is too far from the server's.")),
    "throttled": (429, gettext_lazy("Too many requests from this device: see Retry-After.")),
}
# A malformed value of one of these fields, alone at fault, has its own code.
_FIELD_CODES = {
    "token": "malformed_token",
    "plate": "invalid_plate",
    "province": "invalid_province",
    "direction": "invalid_direction",
    "nonce": "invalid_nonce",
    "since": "invalid_cursor",
}
_MALFORMED = {"invalid", "invalid_choice", "max_length", "min_length", "blank", "null"}
# The codes a DRF exception becomes, by its class.
_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ParseError, "malformed_json"),
    (exceptions.NotAuthenticated, "missing_key"),
    (exceptions.AuthenticationFailed, "invalid_key"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ValidationError, "invalid_request"),
]


class ApiError(exceptions.APIException):
    """An error with one of the codes above, its message, and the fields at fault."""

    def __init__(
        self, code: str, message: object, *, fields: Mapping[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail=str(message), code=code)
        self.status_code = ERRORS[code][0]
        self.error_code = code
        self.fields = dict(fields or {})


def error_body(code: str, message: object, fields: Mapping[str, Any] | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": dict(fields or {})}


def _messages(detail: Any) -> dict[str, list[str]]:
    """A ValidationError's detail as `{field: [messages]}` (nested ones flattened)."""
    if isinstance(detail, Mapping):
        return {
            str(name): [str(message) for message in _flat(value)] for name, value in detail.items()
        }
    return {"non_field_errors": [str(message) for message in _flat(detail)]}


def _flat(detail: Any) -> list[Any]:
    if isinstance(detail, list | tuple):
        return [item for value in detail for item in _flat(value)]
    if isinstance(detail, Mapping):
        return [item for value in detail.values() for item in _flat(value)]
    return [detail]


def _validation_code(error: exceptions.ValidationError) -> str:
    codes = error.get_codes()
    if isinstance(codes, Mapping) and len(codes) == 1:
        [(name, found)] = codes.items()
        if name in _FIELD_CODES and set(_flat(found)) <= _MALFORMED:
            return _FIELD_CODES[name]
    return "invalid_request"


def domain_error(error: DecisionError | DeviceError) -> ApiError:
    field: str = getattr(error, "field", "")
    fields = {field: [str(error.message)]} if field else {}
    return ApiError(error.code, error.message, fields=fields)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's exception handler, with every error in the API's shape and codes."""
    if isinstance(exc, DecisionError | DeviceError):
        exc = domain_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: the server error it is
    headers = {}
    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, exc.detail, exc.fields)
    elif isinstance(exc, exceptions.ValidationError):
        fields, code = _messages(exc.detail), _validation_code(exc)
        message = ERRORS[code][1] if code == "invalid_request" else next(iter(fields.values()))[0]
        body = error_body(code, message, fields)
    else:
        code = next((code for kind, code in _DRF_CODES if isinstance(exc, kind)), "forbidden")
        body = error_body(code, ERRORS[code][1] if code == "not_found" else exc.detail)
    status = ERRORS[body["code"]][0]
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait)))
    authenticate = getattr(exc, "auth_header", None)
    if authenticate:
        headers["WWW-Authenticate"] = authenticate
    return Response(body, status=status, headers=headers)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other URL under /api/: the API's 404, not the portal's page."""
    with request_language(request):
        body = error_body("not_found", _("No such URL in the API."))
    return JsonResponse(body, status=HTTPStatus.NOT_FOUND)
