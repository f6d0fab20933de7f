"""At most so many requests per device (`PARCAUTO_API_DEVICE_RATE`, e.g. `600/m/device`).

Counted in the shared cache in fixed windows (`core.ratelimit.window_hit`: one Redis
round trip per request, an atomic increment), where DRF's own throttles keep and rewrite
the list of every request's time in the window.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from parcauto.access.models import Device
from parcauto.core.ratelimit import window_hit
from parcauto.core.rates import rates_parse

_rates = cache(rates_parse)  # the setting's few values, parsed once each


class DeviceRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        device = request.auth
        if not isinstance(device, Device):
            return True
        for rate in _rates(settings.PARCAUTO_API_DEVICE_RATE):
            over, seconds_left = window_hit(f"api.device:{device.pk}", rate)
            if over:
                self.retry_after = seconds_left
                return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
