"""A liveness probe for load balancers, and the baseline of the benchmarks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    """ "ok" on any host the middleware lets through; touches no table itself."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
