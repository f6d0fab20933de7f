"""Django's Redis cache backend, reusing its client object.

Django's RedisCacheClient builds a new `redis.Redis` for every get and set; its
`__init__` fills a table of ~200 response callbacks each time. Reusing one saves ~70 µs
of CPU a call, measured in pairs (`python -m bench.request_path`); a sale makes about
five (the session, then the payment step's two rate limits, two calls each): ~3 % of it,
kept for that. A `redis.Redis` is only a handle on its connection pool
(thread-safe, and Django's caches are per thread anyway), so one per pool serves every
call. Production sets CACHES to `parcauto.core.cache.RedisCache` when REDIS_URL is set.

`RedisCache.hit` counts in one round trip what Django's `add` then `incr` count in three
(`incr` asks whether the key exists first): a Lua script, atomic. The API's per-device
throttle counts the requests of a gate with it (`core.ratelimit.window_take`): 83 µs of
CPU a call against 292 µs through django-ratelimit, measured in pairs on a busy machine.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis

# So many more in the counter, its expiry set when the counter is new.
_HIT = (
    "local count = redis.call('INCRBY', KEYS[1], ARGV[2]) "
    "if count == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return count"
)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._hits: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def hit(self, key: Any, timeout: int, amount: int) -> int:
        client = self.get_client(key, write=True)
        script = self._hits.get(id(client))
        if script is None:  # EVALSHA, loaded again by redis-py if the server forgot it
            script = self._hits[id(client)] = client.register_script(_HIT)
        return int(script(keys=[key], args=[timeout, amount]))


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def hit(self, key: str, timeout: int, amount: int = 1) -> int:
        """`amount` more in the counter `key` (created at `amount`, expiring after
        `timeout` seconds): its new value."""
        client: RedisCacheClient = self._cache  # type: ignore[assignment]  # our _class
        return client.hit(self.make_and_validate_key(key), timeout, amount)
