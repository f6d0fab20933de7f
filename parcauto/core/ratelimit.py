"""Rate limits per account and per IP on what can be guessed or tried out (issue 9).

`settings.PARCAUTO_RATE_LIMITS` maps an action to its rates, e.g. `"10/15m/user,50/15m/ip"`:
at most 10 attempts per account and 50 per client address in a 15-minute window. The
attempts are counted in the shared cache by django-ratelimit (fixed windows, so the
answer can say when the window ends), under one key per action, rate and account or
address; an anonymous request has only its address counted. A rate `per` "key" counts a
value the view passes (`key=`: the notice number a look-up tries), whoever asks. The
client address is allauth's (`ALLAUTH_TRUSTED_PROXY_COUNT` behind a proxy), so these
limits and allauth's own (login, sign-up, reset: `ACCOUNT_RATE_LIMITS`) count the same
person the same way.

A view raises RateLimited; `RateLimitMiddleware` answers 429 with `Retry-After`: the
translated page (`429.html`), its content alone in place of the page's for htmx, or JSON
for a caller that asks for JSON only.

Why django-ratelimit and not allauth's `allauth.core.ratelimit`: allauth's public helper
never limits a GET (the permit list that tries an access code is an htmx GET), does not
say when a limit ends, and reads its rates from allauth's own settings.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from .cache import RedisCache
from .rates import Rate, rates_parse

_UNKNOWN_WAIT = 60  # seconds, when allauth's own limit answers (it does not say)


class RateLimited(Exception):
    """Too many attempts at an action: none is made before `retry_after` seconds."""

    def __init__(self, *, action: str, retry_after: int) -> None:
        super().__init__(f"{action}: retry after {retry_after} s")
        self.action = action
        self.retry_after = retry_after


def client_ip(request: HttpRequest) -> str:
    return get_adapter().get_client_ip(request)


def _usages(
    request: HttpRequest, action: str, *, increment: bool, key: str | None = None
) -> list[tuple[int, int, int]]:
    """(count, limit, seconds left) of each of the action's rates that applies."""
    user = getattr(request, "user", None)
    found = []
    for rate in rates_parse(settings.PARCAUTO_RATE_LIMITS[action]):
        if rate.per == "key":
            if not key:
                continue
            value = f"key:{key}"
        elif rate.per == "user":
            if user is None or not user.is_authenticated:
                continue
            value = f"user:{user.pk}"
        else:
            value = f"ip:{client_ip(request)}"
        usage = get_usage(
            request,
            group=f"parcauto.{action}.{rate.per}",
            key=lambda _group, _request, value=value: value,
            rate=f"{rate.limit}/{rate.period}",
            increment=increment,
        )
        if usage is not None:  # None: RATELIMIT_ENABLE is off
            found.append((usage["count"], usage["limit"], max(usage["time_left"], 1)))
    return found


def rate_limit_hit(request: HttpRequest, *, action: str, key: str | None = None) -> None:
    """Count one attempt at `action` (and at `key`); RateLimited if it is one too many."""
    over = [
        left
        for count, limit, left in _usages(request, action, increment=True, key=key)
        if count > limit
    ]
    if over:
        raise RateLimited(action=action, retry_after=max(over))


def rate_limit_check(request: HttpRequest, *, action: str, key: str | None = None) -> None:
    """RateLimited if the attempts at `action` are used up, counting none: for an action
    whose failures only are counted (`rate_limit_hit` once it failed)."""
    over = [
        left
        for count, limit, left in _usages(request, action, increment=False, key=key)
        if count >= limit
    ]
    if over:
        raise RateLimited(action=action, retry_after=max(over))


def window_take(key: str, rate: Rate, amount: int) -> tuple[int, int]:
    """Add `amount` to the count under `key` in `rate`'s current fixed window: (the count
    now, seconds until the window ends); (0, 0) when rate limits are off.

    For what is counted at every request (the API's devices): one round trip with Redis
    (`RedisCache.hit`), where django-ratelimit's `get_usage` takes three. Other caches
    (development, tests) count with `add` then `incr`.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return 0, 0
    ends, seconds_left = window_end(rate)
    counter, timeout = f"parcauto.window:{key}:{rate.seconds}:{ends}", rate.seconds + 5
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        count = cache.hit(counter, timeout, amount)
    elif cache.add(counter, amount, timeout):
        count = amount
    else:
        try:
            count = cache.incr(counter, amount)
        except ValueError:  # expired or evicted between the two calls
            count = amount if cache.add(counter, amount, timeout) else cache.incr(counter, amount)
    return count, seconds_left


def window_end(rate: Rate) -> tuple[int, int]:
    """The current fixed window of `rate`: (its end, a Unix time; seconds until then)."""
    now = int(time.time())
    ends = now - now % rate.seconds + rate.seconds
    return ends, max(1, ends - now)


def rate_limited(
    action: str, *, methods: tuple[str, ...] = ("POST",)
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Count every request of `methods` to the view as an attempt at `action`."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                rate_limit_hit(request, action=action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def wait_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return ngettext(
        "Too many attempts. Please try again in %(count)d minute.",
        "Too many attempts. Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def _wants_json(request: HttpRequest) -> bool:
    return request.accepts("application/json") and not request.accepts("text/html")


def too_many_attempts(request: HttpRequest, *, retry_after: int | None) -> HttpResponse:
    """The 429 answer: the page, or JSON (`error`, `message`, `retry_after`)."""
    wait = retry_after or _UNKNOWN_WAIT
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(
            {"error": "too_many_attempts", "message": wait_message(wait), "retry_after": wait},
            status=HTTPStatus.TOO_MANY_REQUESTS,
        )
    elif request.headers.get("HX-Request") == "true":
        # A part of a page asked (the permit list): the message takes the page's place.
        response = render(
            request,
            "partials/too_many_attempts.html",
            {"message": wait_message(wait)},
            status=HTTPStatus.TOO_MANY_REQUESTS,
        )
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "innerHTML"
    else:
        response = render(
            request,
            "429.html",
            {"message": wait_message(wait)},
            status=HTTPStatus.TOO_MANY_REQUESTS,
        )
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


def handler429(request: HttpRequest) -> HttpResponse:
    """allauth's limits (login, sign-up, reset) answer with the same page."""
    return too_many_attempts(request, retry_after=None)


class RateLimitMiddleware:
    """Turn a view's RateLimited into the 429 answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return too_many_attempts(request, retry_after=exception.retry_after)
        return None
