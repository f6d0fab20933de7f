from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django_scopes import scopes_disabled

from tests.backoffice.requests import NOW

from .world import World, world_build

# Follow-ups are queued as rows, as in production, and never run: the world stays as built.
_DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Module fixtures run before the suite's per-test settings (tests/conftest.py), which they
# must match to build the world and read its pages: fast hashes, portal hosts, local cache.
_MODULE_SETTINGS = {
    "MEDIA_ROOT": None,  # the world's own, below
    "TASKS": _DATABASE_TASKS,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "ALLOWED_HOSTS": [".testserver", "testserver"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}


@pytest.fixture(scope="module")
def _world_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("world") / "media"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _world_media: Path) -> Iterator[World]:
    """Built once per module in a transaction rolled back at its end: every test of the
    module then runs in a savepoint inside it (pytest-django's `db`)."""
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        override_settings(**_MODULE_SETTINGS | {"MEDIA_ROOT": _world_media}),
        transaction.atomic(),
    ):
        with scopes_disabled():  # the world spans institutions; its requests enter their own
            built = world_build()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_settings(_test_settings, settings, _world_media: Path) -> Iterator[None]:
    # After the suite's own settings (tests/conftest.py): the world's files stay readable.
    settings.MEDIA_ROOT = _world_media
    # Thousands of expected 403s and 404s: formatting each one's traceback for the log
    # would double the run. Server errors are still logged.
    requests_log = logging.getLogger("django.request")
    level = requests_log.level
    requests_log.setLevel(logging.ERROR)
    yield
    requests_log.setLevel(level)
