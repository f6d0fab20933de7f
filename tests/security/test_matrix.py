"""The authorization matrix: every URL of the project by every role, one request per cell,
against the outcomes declared in `expectations.py`.

The URLs come from the URL conf itself (allauth's, the admin's for every registered model,
the sandbox gateway's, /gestion/, /dev/mail/, healthz), so a new URL without a declared row
fails `test_every_url_is_declared`. Each cell runs in a savepoint rolled back after it: a
POST that approves a request as one role leaves it awaiting approval for the next.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.cache import cache
from django.db import transaction

from .arguments import arguments_for
from .expectations import ADMIN_MODELS, declared
from .outcomes import E404, Entry, Outcome, filled, observed
from .routes import ADMIN_VIEWS, admin_labels, url_routes
from .world import ROLES, Host, Role, World

pytestmark = pytest.mark.django_db

ROUTES = {route.key: route for route in url_routes()}
DECLARED = declared()


def test_every_url_is_declared():
    assert sorted(set(ROUTES) - set(DECLARED)) == [], "URLs without a row in expectations.py"
    assert sorted(set(DECLARED) - set(ROUTES)) == [], "rows of URLs that no longer exist"


def test_every_registered_admin_model_is_declared_with_each_view():
    assert set(ADMIN_MODELS) == admin_labels()
    for label, views in ADMIN_MODELS.items():
        assert set(views) == set(ADMIN_VIEWS), label


@pytest.mark.parametrize("key", [key for key, route in ROUTES.items() if route.arguments])
def test_every_url_naming_an_object_is_given_one(key):
    assert arguments_for(key) is not None, f"{key}: add it to arguments.ARGUMENTS"


def ask(world: World, path: str, entry: Entry, role: Role) -> Outcome:
    """One cell: the role asks the URL once; whatever that changed is rolled back, rate
    limits' counters included (eleven roles asking one notice's payment are no attack)."""
    cache.clear()
    client = world.client(role, entry.host)
    with transaction.atomic():
        response = getattr(client, entry.method)(path, entry.data(world))
        transaction.set_rollback(True)
    return observed(response, path)


@pytest.mark.parametrize("key", sorted(DECLARED.keys() & ROUTES.keys()))
def test_each_role_gets_what_the_matrix_declares(world, key):
    entry, fill = DECLARED[key], arguments_for(key)
    kwargs = fill(world) if fill else {}
    path = ROUTES[key].path(kwargs)
    wrong = []
    for role in ROLES:
        expected = filled(entry.outcomes[role], kwargs)
        got = ask(world, path, entry, role)
        if got != expected:
            wrong.append(f"{role}: {entry.method.upper()} {path} answered {got}, not {expected}")
    assert wrong == []


@pytest.mark.parametrize(
    "key", sorted(key for key in DECLARED.keys() & ROUTES.keys() if not DECLARED[key].any_host)
)
def test_a_page_of_one_kind_of_host_is_a_404_on_the_other(world, key):
    """Back-office pages on a portal host, portal pages on the operator's host: not found,
    even for the role that opens them on their own host."""
    entry, fill = DECLARED[key], arguments_for(key)
    path = ROUTES[key].path(fill(world) if fill else {})
    elsewhere = Host.ROOT if entry.host is Host.PORTAL else Host.PORTAL
    role = Role.CUSTOMER_A if entry.host is Host.PORTAL else Role.OPERATOR
    assert ask(world, path, replace(entry, host=elsewhere), role) == E404
