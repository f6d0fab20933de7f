"""GET /metrics: Prometheus' scrape, for whoever holds `PARCAUTO_METRICS_TOKEN`.

No token configured: a 404, the endpoint does not exist. Otherwise a 401 unless the
request says `Authorization: Bearer <token>`, compared in constant time. A session (staff
or not) counts for nothing here: a scraper is not a person.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from .metrics import metrics_exposition


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.PARCAUTO_METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        response = HttpResponse("Bearer token required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
