"""The device API's own, shorter middleware chain.

Gate readers post a decision at every car and plate cameras a check at every read, each
authenticated by its device's key: none of the site's sessions, portal host, page
language, CSRF, accounts, MFA or messages applies to them, yet that chain of 17 was a
third of a decision's CPU in process (`bench.profile_decision`, cProfile: 0.57 ms of
1.66). Requests under `DEVICE_API_PREFIX` go from here through
`settings.DEVICE_API_MIDDLEWARE` (HTTPS, host check) to their view; every other one
goes on down the site's chain. This middleware comes right after the request log, which
covers both; the API's schema and docs pages are not under the prefix.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase

DEVICE_API_PREFIX = "/api/v1/"


class _DeviceApiHandler(BaseHandler):
    """Django's handler over the device API's middleware list instead of the site's."""

    def __init__(self) -> None:
        site_chain = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.DEVICE_API_MIDDLEWARE
        try:
            self.load_middleware()
        finally:
            settings.MIDDLEWARE = site_chain
        self._chain: Callable[[HttpRequest], HttpResponseBase] = self._middleware_chain  # type: ignore[attr-defined]

    def respond(self, request: HttpRequest) -> HttpResponseBase:
        # The chain alone: the site's handler around this one already sets the URLconf,
        # closes the request and logs errors.
        return self._chain(request)


class DeviceApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.device_api = _DeviceApiHandler()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(DEVICE_API_PREFIX):
            return self.device_api.respond(request)
        return self.get_response(request)
