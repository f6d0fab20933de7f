"""The device throttle: blocks taken from the shared count, the limit never exceeded."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.cache import cache

from parcauto.api.throttling import block_size, device_hit, device_leases_forget
from parcauto.core.rates import rates_parse

START = dt.datetime(2026, 12, 6, 8, 0, 5, tzinfo=dt.UTC)  # 5 s into a minute


def _rate(text: str):
    return rates_parse(text)[0]


def _shared_count(device_id: int, rate) -> int:
    ends = int(START.timestamp()) - int(START.timestamp()) % rate.seconds + rate.seconds
    return cache.get(f"parcauto.window:api.device:{device_id}:{rate.seconds}:{ends}") or 0


def test_block_sizes() -> None:
    sizes = [block_size(_rate(f"{n}/m/device")) for n in (3, 199, 200, 600, 1000, 10**6)]
    assert sizes == [1, 1, 2, 6, 10, 10]


@time_machine.travel(START, tick=False)
def test_one_process_gets_the_whole_limit_in_blocks_and_not_one_more() -> None:
    rate = _rate("1000/m/device")
    outcomes = [device_hit(7, rate)[0] for _ in range(1001)]
    assert outcomes == [False] * 1000 + [True]
    # 100 blocks of 10 for the 1,000, then the refused one's block
    assert _shared_count(7, rate) == 1010


@time_machine.travel(START, tick=False)
def test_blocks_are_counted_as_taken_and_the_limit_holds_across_processes() -> None:
    rate = _rate("250/m/device")  # blocks of 2
    allowed = 0
    for request in range(300):
        if request % 3 == 0:
            device_leases_forget()  # another process answers: the others' blocks unused
        allowed += not device_hit(8, rate)[0]
    assert 250 - 100 <= allowed <= 250  # early by one unused hit per block at most
    assert _shared_count(8, rate) >= 250


def test_a_block_of_an_earlier_window_is_not_used() -> None:
    rate = _rate("1000/m/device")
    with time_machine.travel(START, tick=False):
        assert device_hit(9, rate) == (False, 55)
        assert _shared_count(9, rate) == 10
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        over, seconds_left = device_hit(9, rate)
        assert (over, seconds_left) == (False, 55)
        assert _shared_count(9, rate) == 10  # the old window's key: untouched


def test_no_limit_when_rate_limits_are_off(settings) -> None:
    settings.RATELIMIT_ENABLE = False
    rate = _rate("1/m/device")
    assert [device_hit(10, rate)[0] for _ in range(5)] == [False] * 5
