"""What an app node keeps is shared: with REDIS_URL, the cache (rate limits) and the
sessions are in Redis, the sessions written through to the database."""

from __future__ import annotations

from tests.settings_probe import settings_with


def test_with_redis_the_cache_and_sessions_are_shared_by_every_node() -> None:
    found = settings_with({"REDIS_URL": "redis://10.0.0.5:6379/0"}, "CACHES", "SESSION_ENGINE")
    assert found["CACHES"]["default"] == {
        "BACKEND": "parcauto.core.cache.RedisCache",
        "LOCATION": "redis://10.0.0.5:6379/0",
    }
    # Read from Redis, written through to PostgreSQL: a Redis restart signs nobody out.
    assert found["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_without_redis_both_are_in_the_database_still_shared() -> None:
    found = settings_with({"REDIS_URL": ""}, "CACHES", "SESSION_ENGINE")
    assert found["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert found["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
