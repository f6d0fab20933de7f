"""Each request: an id, one JSON log line, and its count in the metrics.

Outermost middleware, so that its time covers every other one and it sees every answer
(a 404 for an unknown host, an HTTPS redirect). The id comes from `X-Request-ID` when an
upstream proxy sent a well-formed one, else is made here; it goes back in the response's
`X-Request-ID`, into every log line of the request and into the tasks it queues
(`core.task_log`).

The line says who and what without anything secret: the path with key-like segments
redacted (allauth's links carry their keys in the path), the names of the query
parameters without their values, the institution's slug and the account's id, never an
e-mail address, a token or a card.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from .logs import path_redacted, request_id_accepted, request_id_bound
from .metrics import request_observe

logger = logging.getLogger("parcauto.request")

# The names of a query string's parameters, up to 20, each a plain identifier (a name
# like `marie@example.com` would carry what a value may): values are never logged.
_PARAMETER = re.compile(r"[A-Za-z0-9_.-]{1,40}", re.ASCII)
_MAX_PARAMETERS = 20


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_accepted(request.headers.get("X-Request-ID", ""))
        with request_id_bound(request_id):
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = request.resolver_match
            route = (match.view_name or "unnamed") if match else "unmatched"
            request_observe(
                method=request.method or "",
                status=response.status_code,
                route=route,
                seconds=seconds,
            )
            if logger.isEnabledFor(logging.INFO):
                fields = _fields(request, response, route, seconds)
                logger.info("request", extra={"fields": {**fields, "request_id": request_id}})
        response["X-Request-ID"] = request_id
        return response


def _fields(
    request: HttpRequest, response: HttpResponse, route: str, seconds: float
) -> dict[str, object]:
    organization = getattr(request, "organization", None)
    return {
        "method": (request.method or "")[:10],
        "path": path_redacted(request.path)[:500],
        "query": _parameter_names(request.META.get("QUERY_STRING", "")),
        "route": route,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "organization": organization.slug if organization is not None else None,
        "user_id": _user_id(request),
    }


def _parameter_names(query_string: str) -> list[str]:
    names = {part.partition("=")[0] for part in query_string.split("&")[:_MAX_PARAMETERS]}
    return sorted(name for name in names if _PARAMETER.fullmatch(name))


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in account's id, if the request already loaded it: a log line never
    costs a session or user query of its own."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None
