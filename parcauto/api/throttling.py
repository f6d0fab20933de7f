"""At most so many requests per device (`PARCAUTO_API_DEVICE_RATE`, e.g. `600/m/device`).

Counted in the shared cache in fixed windows by django-ratelimit (an atomic increment),
as the pages' own limits are (`core.ratelimit`): one `incr` per request, where DRF's own
throttles keep and rewrite the list of every request's time in the window.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from parcauto.access.models import Device
from parcauto.core.rates import rates_parse


class DeviceRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        device = request.auth
        if not isinstance(device, Device):
            return True
        for rate in rates_parse(settings.PARCAUTO_API_DEVICE_RATE):
            usage = get_usage(
                request._request,
                group="parcauto.api.device",
                key=lambda _group, _request, pk=device.pk: f"device:{pk}",
                rate=f"{rate.limit}/{rate.period}",
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                self.retry_after = max(1, usage["time_left"])
                return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
