"""The authorization matrix's patrol agent of institution 1, limited to another lot than
A's (lot 2000, `StaffRole.lots`): every URL of the project, one request each.

They get what the matrix declares for institution 1's patrol agent, but the world's plate
check and notice, both in A's lot: those do not exist for them (404), as another
institution's do not. A limit only ever narrows what a patrol role opens.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from parcauto.accounts.models import StaffRole
from tests.backoffice.staff import staff_member

from .arguments import arguments_for
from .expectations import declared
from .outcomes import E404, Outcome, filled, observed
from .routes import url_routes
from .world import Caller, Role, World, host_for

pytestmark = pytest.mark.django_db

# The rows naming the world's check or notice (A's lot), which the limit hides.
OUTSIDE_THEIR_LOT = {
    "backoffice:patrol_check": E404,
    "backoffice:notice_issue": E404,
    "backoffice:notice_issued": E404,
    "backoffice:notice_pdf": E404,
    "backoffice:notice_pdf_roll": E404,
}


@pytest.fixture(scope="module")
def limited_session(world: World, django_db_blocker) -> Iterator[str]:
    """The session of a patrol agent of institution 1 who patrols lot 2000 only (the
    world's transaction, still open, rolls them back with it)."""
    lot = world.devices[Caller.OTHER_LOT].device.lot
    assert lot.pk != world.contract.lot_id
    with django_db_blocker.unblock():
        agent = staff_member(
            StaffRole.Role.PATROL, world.home, email="patrouille-2000@chus.example", lots=[lot]
        )
        client = Client()
        client.force_login(agent)
    yield client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_limited_agent_gets_the_patrol_agents_row_but_a_lot_they_do_not_patrol(
    world: World, limited_session: str
):
    routes = {route.key: route for route in url_routes()}
    wrong = []
    for key, entry in sorted(declared().items()):
        fill = arguments_for(key)
        kwargs = fill(world) if fill else {}
        path = routes[key].path(kwargs)
        expected = filled(OUTSIDE_THEIR_LOT.get(key, entry.outcomes[Role.PATROL_1]), kwargs)
        cache.clear()
        client = Client(HTTP_HOST=host_for(Role.PATROL_1, entry.host))
        client.cookies[settings.SESSION_COOKIE_NAME] = limited_session
        with transaction.atomic():
            response = getattr(client, entry.method)(path, entry.data(world))
            transaction.set_rollback(True)
        got: Outcome = observed(response, path)
        if got != expected:
            wrong.append(f"{entry.method.upper()} {path} answered {got}, not {expected}")
    assert wrong == []


def test_institution_1s_unlimited_patrol_agent_opens_those_rows():
    """The rows above are a change: without the limit, the matrix opens them."""
    rows = declared()
    assert all(rows[key].outcomes[Role.PATROL_1] != E404 for key in OUTSIDE_THEIR_LOT)
