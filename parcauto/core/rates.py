"""Rate strings of the settings (`"10/15m/user,50/15m/ip"`), read without Django so that
settings.py refuses a malformed one at start-up (`core.ratelimit` applies them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

_RATE = re.compile(r"(\d+)/(\d*[smhd])/(user|ip|device|key)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: str  # a count of s, m, h or d: "15m", "h" (django-ratelimit's and allauth's)
    # device: an API key's (parcauto.api.throttling); key: a value the view names (the
    # notice number a look-up tries, `core.ratelimit`'s `key=`).
    per: Literal["user", "ip", "device", "key"]

    @property
    def seconds(self) -> int:
        """The period's length: "15m" -> 900."""
        return int(self.period[:-1] or 1) * _UNIT_SECONDS[self.period[-1]]


def rates_parse(value: str) -> list[Rate]:
    """`"10/15m/user,50/15m/ip"` -> its rates; ValueError on anything else."""
    rates = []
    for part in filter(None, (item.strip() for item in value.split(","))):
        match = _RATE.fullmatch(part)
        if match is None or int(match.group(1)) < 1:
            raise ValueError(
                f"not a rate (count/period/user, ip, device or key, e.g. 10/15m/user): {part!r}"
            )
        limit, period, per = match.groups()
        rates.append(Rate(int(limit), period, cast(Literal["user", "ip", "device", "key"], per)))
    return rates
