"""Who reads the audit trail in /admin/: the operator, and each manager for their institution.

A person's own events (account, profile, vehicles, unfinished drafts) are about one
identity across every portal: even filed under an institution, its staff do not read them.
"""

from __future__ import annotations

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from tests.backoffice.conftest import admin_url, changelist_rows, signed_in
from tests.backoffice.staff import staff_member

pytestmark = pytest.mark.django_db

EVENTS = "/admin/audit/auditevent/"
PERSONAL = ["account.signed_up", "profile.updated", "vehicle.added", "subscription.draft_saved"]


@pytest.fixture
def events(organization, other_organization) -> dict[str, AuditEvent]:
    made = {
        action: AuditEvent.objects.create(organization=organization, action=action)
        for action in [*PERSONAL, "subscription.approved", "admin.catalog.parkinglot.changed"]
    }
    made["other"] = AuditEvent.objects.create(
        organization=other_organization, action="subscription.approved"
    )
    return made


def test_a_manager_reads_their_institutions_events_but_no_persons_own(manager, events):
    client = signed_in(manager)
    assert changelist_rows(client, EVENTS) == {
        events["subscription.approved"],
        events["admin.catalog.parkinglot.changed"],
    }
    for action in PERSONAL:
        response = client.get(admin_url(events[action]))
        assert (response.status_code, response.url) == (302, "/admin/")
    assert signed_in(manager).get(admin_url(events["subscription.approved"])).status_code == 200


def test_another_institutions_manager_reads_none_of_them(other_organization, events):
    stranger = staff_member(StaffRole.Role.MANAGER, other_organization)
    assert changelist_rows(signed_in(stranger), EVENTS) == {events["other"]}


def test_an_agent_reads_no_audit_trail(agent, events):
    client = signed_in(agent)
    assert client.get(EVENTS).status_code == 403
    assert client.get(admin_url(events["subscription.approved"])).status_code == 403


def test_the_operator_reads_every_event(operator, events):
    assert changelist_rows(signed_in(operator), EVENTS) >= set(events.values())
