"""At most so many requests per device (`PARCAUTO_API_DEVICE_RATE`, e.g. `600/m/device`).

Counted in the shared cache in fixed windows (`core.ratelimit.window_take`: one Redis
round trip, an atomic increment), where DRF's own throttles keep and rewrite the list of
every request's time in the window. Each process takes its hits from the shared count in
blocks (`block_size`: 1 for a limit under 200, up to 10), so that most requests of a busy
gate make no round trip at all: the Redis call was a tenth of a decision's CPU in
process (py-spy, `bench.profile_decision`). The limit is never exceeded: a block is
granted only within it. A device may be refused up to (processes x (block - 1))
requests early, the blocks other processes took and have not used yet: at most 9 per
process for a limit of 1,000 and more, none below 200.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from parcauto.access.models import Device
from parcauto.core.ratelimit import window_end, window_take
from parcauto.core.rates import Rate, rates_parse

_rates = cache(rates_parse)  # the setting's few values, parsed once each
MAX_BLOCK = 10


def block_size(rate: Rate) -> int:
    """Hits taken at once: a hundredth of the limit, 1 to MAX_BLOCK."""
    return max(1, min(MAX_BLOCK, rate.limit // 100))


@dataclass
class _Lease:
    window_ends: int  # the window it was granted in: worth nothing after it
    left: int  # hits granted to this process and not used yet


_leases: dict[tuple[int, int], _Lease] = {}  # per (device, rate's seconds): this process's
_lock = threading.Lock()


def device_leases_forget() -> None:
    """Forget this process's blocks (tests: a new test's device may reuse an old id)."""
    with _lock:
        _leases.clear()


def device_hit(device_id: int, rate: Rate) -> tuple[bool, int]:
    """Count one request of the device in `rate`: (over the limit, seconds left)."""
    ends, seconds_left = window_end(rate)
    lease_key = (device_id, rate.seconds)
    with _lock:
        lease = _leases.get(lease_key)
        if lease is not None and lease.window_ends == ends and lease.left > 0:
            lease.left -= 1
            return False, seconds_left
    size = block_size(rate)
    count, seconds_left = window_take(f"api.device:{device_id}", rate, size)
    if not count:  # rate limits off
        return False, 0
    first = count - size + 1  # this request's number in the window
    if first > rate.limit:
        return True, seconds_left
    with _lock:
        _leases[lease_key] = _Lease(ends, min(size, rate.limit - first + 1) - 1)
    return False, seconds_left


class DeviceRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        device = request.auth
        if not isinstance(device, Device):
            return True
        for rate in _rates(settings.PARCAUTO_API_DEVICE_RATE):
            over, seconds_left = device_hit(device.pk, rate)
            if over:
                self.retry_after = seconds_left
                return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
