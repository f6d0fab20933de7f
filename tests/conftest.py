from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.test.client import ClientHandler
from django_scopes import scope
from hypothesis import settings as hypothesis_settings

from parcauto.access.devices import devices_forget
from parcauto.api.throttling import device_leases_forget
from parcauto.billing.models import TaxRate
from parcauto.billing.taxes import tax_rates_forget
from parcauto.tenants.selectors import organization_hosts_forget
from tests.factories import OrganizationFactory
from tests.scoping import unscoped

_TAX_RATES = importlib.import_module("parcauto.billing.migrations.0003_seed_tax_rates").RATES
_DB_FIXTURES = {"db", "transactional_db", "live_server"}

# Property tests hit the database: an example's time depends on what else the machine
# runs, and speed is the benchmarks' business (make bench), not a test's.
hypothesis_settings.register_profile("parcauto", deadline=None)
hypothesis_settings.load_profile("parcauto")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path) -> None:
    # Tasks run at once (after commit), as a worker would (no scope; a failure fails the
    # test), and e-mails land in django.core.mail.outbox.
    settings.TASKS = {"default": {"BACKEND": "tests.tasks_backend.WorkerLikeBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALLOWED_HOSTS = [".testserver", "testserver", ".localhost", "localhost"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # rate limits must not leak between tests
    organization_hosts_forget()  # nor the portals' host names
    devices_forget()  # nor the devices' keys
    device_leases_forget()  # nor their rate's blocks


@pytest.fixture(autouse=True)
def _tenant_scope(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test runs in the test institution's scope, so a query missing its filter fails.

    A test without the `organization` fixture runs in no scope: any tenant query raises,
    as it would outside a request. Another institution's rows are read `within` it.
    """
    if "organization" not in request.fixturenames:
        yield
        return
    with scope(organization=request.getfixturevalue("organization")):
        yield


@pytest.fixture(autouse=True, scope="session")
def _requests_start_unscoped() -> Iterator[None]:
    """A request of the test client starts in no scope, as in production, whatever the
    test's: otherwise the test's scope would leak into the view under test and hide the
    scope it forgot to enter (tasks: tests/tasks_backend.py)."""
    handler = ClientHandler.__call__
    ClientHandler.__call__ = unscoped(handler)  # type: ignore[method-assign]
    yield
    ClientHandler.__call__ = handler  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _tax_rates(request: pytest.FixtureRequest) -> Iterator[None]:
    # The rates come from a data migration, and a transactional test (or a live server)
    # flushes every table when it ends: put them back before any test that uses the
    # database, whatever ran before it on this worker.
    if request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            for tax, rate, since in _TAX_RATES:
                TaxRate.objects.get_or_create(
                    tax=tax, effective_from=since, defaults={"rate": rate}
                )
    tax_rates_forget()
    yield
    tax_rates_forget()


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


@pytest.fixture
def frozen_now(request: pytest.FixtureRequest) -> Iterator[dt.datetime]:
    """The clock stopped at the test module's `NOW` for the whole test (time-machine).

    A module whose every test needs it says `pytestmark = [..., pytest.mark.usefixtures(
    "frozen_now")]`; a test that needs it alone takes it as an argument.
    """
    moment = request.module.NOW
    with time_machine.travel(moment, tick=False):
        yield moment
