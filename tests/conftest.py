from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django_scopes import scopes_disabled

from tests.factories import OrganizationFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path) -> None:
    # Tasks run at once (after commit) and e-mails land in django.core.mail.outbox.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALLOWED_HOSTS = [".testserver", "testserver", ".localhost", "localhost"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # rate limits and the host map must not leak between tests


@pytest.fixture(autouse=True)
def _no_scope() -> Iterator[None]:
    # Test set-up spans institutions; requests still enter their own scope.
    with scopes_disabled():
        yield


@pytest.fixture
def organization(db):
    return OrganizationFactory(
        slug="chus", name_fr="CIUSSS de l'Estrie - CHUS", hostname="chus.testserver"
    )


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(
        slug="cisso", name_fr="CISSS de l'Outaouais", hostname="cisso.testserver"
    )


@pytest.fixture
def portal_client(organization) -> Client:
    return Client(HTTP_HOST="chus.testserver")
