"""Django's Redis cache backend, reusing its client object.

Django's RedisCacheClient builds a new `redis.Redis` for every get and set; its
`__init__` fills a table of ~200 response callbacks each time. Reusing one saves ~70 µs
of CPU a call, measured in pairs (`python -m bench.request_path`); a sale makes about
five (the session, then the payment step's two rate limits, two calls each): ~3 % of it,
kept for that. A `redis.Redis` is only a handle on its connection pool
(thread-safe, and Django's caches are per thread anyway), so one per pool serves every
call. Production sets CACHES to `parcauto.core.cache.RedisCache` when REDIS_URL is set.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
