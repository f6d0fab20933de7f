"""Proposal 4 of bench/README.md: sessions read from Redis, written through to the table."""

from parcauto.settings import *  # noqa: F403

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
