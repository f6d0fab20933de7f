"""The Redis cache backend production uses, against a real redis-server."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from parcauto.core.cache import RedisCache
from parcauto.core.ratelimit import window_take
from parcauto.core.rates import rates_parse


@pytest.fixture
def redis_socket(tmp_path: Path) -> Iterator[Path]:
    """A throwaway redis-server on a Unix socket (no port to collide with)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed (Debian's redis-server package)"
    socket = tmp_path / "redis.sock"
    server = subprocess.Popen(  # noqa: S603 - redis-server from PATH, fixed arguments
        [binary, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            if socket.exists():
                break
            time.sleep(0.01)
        yield socket
    finally:
        server.terminate()
        server.wait(timeout=5)


def test_one_client_serves_every_call_and_values_round_trip(redis_socket: Path) -> None:
    cache = RedisCache(f"unix://{redis_socket}", {})

    cache.set("host", {"organization": 7}, 60)
    assert cache.get("host") == {"organization": 7}
    assert cache.get("missing", "default") == "default"
    cache.delete("host")
    assert cache.get("host") is None
    clients = {id(cache._cache.get_client(write=write)) for write in (True, False, True)}
    assert len(clients) == 1  # Django's own client class makes one per call


def test_a_hit_counts_in_one_call_and_its_counter_expires(redis_socket: Path) -> None:
    cache = RedisCache(f"unix://{redis_socket}", {})

    assert [cache.hit("gate", 60) for _ in range(3)] == [1, 2, 3]
    assert cache.hit("gate", 60, 5) == 8
    ttl = cache._cache.get_client(write=True).ttl(cache.make_and_validate_key("gate"))
    assert 0 < ttl <= 60


def test_a_window_counts_hits_and_blocks_on_redis(redis_socket: Path, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "parcauto.core.cache.RedisCache",
            "LOCATION": f"unix://{redis_socket}",
        }
    }
    rate = rates_parse("2/m/device")[0]
    assert (rate.seconds, rates_parse("5/15m/ip")[0].seconds) == (60, 900)

    hits = [window_take("device:7", rate, 1) for _ in range(3)]
    assert [count for count, _ in hits] == [1, 2, 3]
    assert all(1 <= left <= 60 for _, left in hits)
    assert window_take("device:7", rate, 10)[0] == 13  # a block at once
    assert window_take("device:8", rate, 1)[0] == 1  # each key its own count
