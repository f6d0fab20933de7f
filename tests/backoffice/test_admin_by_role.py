"""Every admin model, as each role sees it (the table in parcauto.accounts.roles).

One row of institution A per model; five staff members: the agent and the manager of A,
of B, and the operator admin. For each: the list's status and whether A's row is in it,
and the status of A's row's page (302: "does not exist", for rows out of reach).
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import models

from parcauto.accounts.models import Profile, StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.models import PaymentMethod
from parcauto.subscriptions.models import Subscription
from parcauto.vehicles.models import Vehicle
from tests.backoffice.conftest import admin_url, signed_in
from tests.backoffice.staff import staff_member
from tests.payments.factories import originator_make, pad_agreement_make, pad_contract_make

pytestmark = pytest.mark.django_db

Role = StaffRole.Role
ROLES = ["agent_a", "manager_a", "agent_b", "manager_b", "operator"]

# (list status, A's row listed, A's row's page status), role by role in ROLES' order.
OPERATOR_ONLY = [(403, False, 403)] * 4 + [(200, True, 200)]
INSTITUTION_A = [(200, True, 200)] * 2 + [(200, False, 302)] * 2 + [(200, True, 200)]
EXPECTED: dict[type[models.Model], list[tuple[int, bool, int]]] = {
    User: OPERATOR_ONLY,
    Profile: OPERATOR_ONLY,
    StaffRole: OPERATOR_ONLY,
    EmailAddress: OPERATOR_ONLY,
    Authenticator: OPERATOR_ONLY,
    Vehicle: OPERATOR_ONLY,
    OutboundEmail: OPERATOR_ONLY,
    # Managers answer for their institution; agents work in the request pages.
    AuditEvent: [
        (403, False, 403),
        (200, True, 200),
        (403, False, 403),
        (200, False, 302),
        (200, True, 200),
    ],
    Subscription: INSTITUTION_A,
    PaymentMethod: INSTITUTION_A,
}


@pytest.fixture
def staff(organization, other_organization) -> dict[str, User]:
    return {
        "agent_a": staff_member(Role.AGENT, organization),
        "manager_a": staff_member(Role.MANAGER, organization),
        "agent_b": staff_member(Role.AGENT, other_organization),
        "manager_b": staff_member(Role.MANAGER, other_organization),
        "operator": staff_member(Role.OPERATOR_ADMIN),
    }


@pytest.fixture
def rows_of_a(organization, staff) -> dict[type[models.Model], models.Model]:
    pad_agreement_make(organization)
    originator_make(organization)
    contract = pad_contract_make(
        organization, first_name="Hélène", last_name="Côté", account="123456789012"
    )
    person = contract.person
    vehicle = Vehicle.objects.create(
        owner=person,
        plate="ABC123",
        plate_match_key="ABC123",
        jurisdiction="QC",
        make="Acura",
        model="NSX",
        year=2021,
        colour="Rouge",
    )
    return {
        User: person,
        Profile: person.profile,
        StaffRole: StaffRole.objects.get(user=staff["manager_a"]),
        EmailAddress: EmailAddress.objects.get(user=person),
        Authenticator: Authenticator.objects.get(user=staff["manager_a"]),
        Vehicle: vehicle,
        OutboundEmail: OutboundEmail.objects.filter(to=person.email).get(),
        AuditEvent: AuditEvent.objects.create(
            organization=organization,
            action="subscription.approved",
        ),
        Subscription: contract,
        PaymentMethod: PaymentMethod.objects.get(subscription=contract),
    }


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda model: model.__name__)
def test_each_role_sees_what_the_table_says(model, staff, rows_of_a):
    row = rows_of_a[model]
    opts = model._meta
    seen = []
    for role in ROLES:
        client = signed_in(staff[role])
        listing = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        listed = listing.status_code == 200 and row in listing.context["cl"].result_list
        seen.append((listing.status_code, listed, client.get(admin_url(row)).status_code))
    assert dict(zip(ROLES, seen, strict=True)) == dict(zip(ROLES, EXPECTED[model], strict=True))
