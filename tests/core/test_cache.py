"""The Redis cache backend production uses, against a real redis-server."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from parcauto.core.cache import RedisCache


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
