"""What each staff role may change in the back office (matrix in parcauto.accounts.roles)."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.notifications.models import OutboundEmail
from parcauto.tenants.models import LegalText, Organization, OrganizationHost
from tests.backoffice.conftest import (
    admin_url,
    new_text_form,
    organization_form,
    signed_in,
    snapshot,
    text_form,
)
from tests.backoffice.staff import TOTP_SECRET

pytestmark = pytest.mark.django_db

Role = StaffRole.Role


# --- Legal texts: managers edit, agents view ------------------------------------------


def test_a_manager_changes_their_institutions_text(manager, records):
    response = signed_in(manager).post(
        admin_url(records.text_a), text_form(records.text_a, body_fr="Conditions révisées")
    )
    assert response.status_code == 302
    assert response.url == "/admin/tenants/legaltext/"
    records.text_a.refresh_from_db()
    assert records.text_a.body_fr == "Conditions révisées"


def test_a_manager_adds_a_text_for_their_institution(manager, organization):
    response = signed_in(manager).post("/admin/tenants/legaltext/add/", new_text_form(organization))
    assert response.status_code == 302
    assert LegalText.objects.get(kind=LegalText.Kind.PRIVACY_POLICY).organization == organization


def test_a_manager_cannot_add_a_text_for_another_institution(manager, other_organization):
    before = snapshot(LegalText)
    response = signed_in(manager).post(
        "/admin/tenants/legaltext/add/", new_text_form(other_organization)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["organization"] == [
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    ]
    assert snapshot(LegalText) == before


def test_a_manager_cannot_move_their_text_to_another_institution(
    manager, records, other_organization
):
    before = snapshot(LegalText)
    response = signed_in(manager).post(
        admin_url(records.text_a),
        text_form(records.text_a, organization=other_organization.pk, version=2),
    )
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert snapshot(LegalText) == before


def test_a_manager_deletes_their_institutions_unpublished_text(manager, records):
    response = signed_in(manager).post(admin_url(records.text_a, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not LegalText.objects.filter(pk=records.text_a.pk).exists()


def test_bulk_delete_refuses_a_selection_that_reaches_another_institution(
    manager, records, other_organization
):
    StaffRole.objects.create(user=manager, role=Role.AGENT, organization=other_organization)
    before = snapshot(LegalText)
    response = signed_in(manager).post(
        "/admin/tenants/legaltext/",
        {
            "action": "delete_selected",
            "_selected_action": [records.text_a.pk, records.text_b.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 403
    assert snapshot(LegalText) == before


def test_a_published_text_is_frozen_even_for_its_manager(manager, records):
    LegalText.objects.filter(pk=records.text_a.pk).update(
        published_at=timezone.now() - dt.timedelta(days=1)
    )
    before = snapshot(LegalText)
    client = signed_in(manager)
    page = client.get(admin_url(records.text_a))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = client.post(admin_url(records.text_a), text_form(records.text_a, body_fr="Réécrit"))
    assert response.status_code == 403
    assert client.post(admin_url(records.text_a, "delete"), {"post": "yes"}).status_code == 403
    assert snapshot(LegalText) == before


def test_an_agent_views_a_text_without_a_save_button(agent, records):
    response = signed_in(agent).get(admin_url(records.text_a))
    assert response.status_code == 200
    assert response.context["has_view_permission"]
    assert not response.context["has_change_permission"]
    assert 'name="_save"' not in response.content.decode()
    assert "Conditions du CHUS" in response.content.decode()


@pytest.mark.parametrize("action", ["change", "add", "delete"])
def test_an_agent_changes_nothing(agent, records, organization, action):
    before = snapshot(LegalText)
    client = signed_in(agent)
    if action == "change":
        response = client.post(admin_url(records.text_a), text_form(records.text_a, body_fr="X"))
    elif action == "add":
        response = client.post("/admin/tenants/legaltext/add/", new_text_form(organization))
    else:
        response = client.post(admin_url(records.text_a, "delete"), {"post": "yes"})
    assert response.status_code == 403
    assert snapshot(LegalText) == before


def test_a_manager_of_a_who_is_an_agent_of_b_only_views_b(manager, records, other_organization):
    StaffRole.objects.create(user=manager, role=Role.AGENT, organization=other_organization)
    client = signed_in(manager)
    before = snapshot(LegalText)
    page = client.get(admin_url(records.text_b))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = client.post(admin_url(records.text_b), text_form(records.text_b, body_fr="X"))
    assert response.status_code == 403
    # And A's text cannot be moved to B, where the role is only agent.
    choices = client.get("/admin/tenants/legaltext/add/").context["adminform"].form
    assert list(choices.fields["organization"].queryset) == [records.text_a.organization]
    assert snapshot(LegalText) == before


# --- The institution record -----------------------------------------------------------


def test_a_manager_updates_their_institutions_branding(manager, organization):
    response = signed_in(manager).post(
        admin_url(organization),
        organization_form(organization, primary_colour="#8a1538", name_en="CHUS"),
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.primary_colour, organization.name_en) == ("#8a1538", "CHUS")


def test_a_manager_cannot_change_what_identifies_the_institution(manager, organization):
    before_hosts = snapshot(OrganizationHost)
    response = signed_in(manager).post(
        admin_url(organization),
        organization_form(
            organization,
            slug="pirate",
            gst_number="123456789RT0001",
            is_active="",
            **{"hosts-0-hostname": "pirate.example.com", "hosts-TOTAL_FORMS": "2"},
            **{"hosts-1-hostname": "autre.example.com", "hosts-1-organization": organization.pk},
        ),
    )
    assert response.status_code == 302  # the allowed fields saved, the others ignored
    organization.refresh_from_db()
    assert (organization.slug, organization.gst_number, organization.is_active) == (
        "chus",
        "",
        True,
    )
    assert snapshot(OrganizationHost) == before_hosts


def test_an_agent_only_views_the_institution(agent, organization):
    before = snapshot(Organization)
    client = signed_in(agent)
    assert not client.get(admin_url(organization)).context["has_change_permission"]
    response = client.post(admin_url(organization), organization_form(organization, name_en="X"))
    assert response.status_code == 403
    assert snapshot(Organization) == before


@pytest.mark.parametrize("staff", ["manager", "agent"])
def test_only_operator_admins_create_or_delete_institutions(request, organization, staff):
    client = signed_in(request.getfixturevalue(staff))
    before = snapshot(Organization)
    assert client.get("/admin/tenants/organization/add/").status_code == 403
    assert client.post(admin_url(organization, "delete"), {"post": "yes"}).status_code == 403
    assert snapshot(Organization) == before


def test_an_operator_admin_creates_an_institution_with_its_host_name(operator):
    response = signed_in(operator).post(
        "/admin/tenants/organization/add/",
        {
            "slug": "cemtl",
            "name_fr": "CIUSSS de l'Est-de-l'Île-de-Montréal",
            "name_en": "",
            "english_enabled": "on",
            "primary_colour": "#1f4e79",
            "is_active": "on",
            "hosts-TOTAL_FORMS": "1",
            "hosts-INITIAL_FORMS": "0",
            "hosts-MIN_NUM_FORMS": "0",
            "hosts-MAX_NUM_FORMS": "1000",
            "hosts-0-hostname": "cemtl.parcauto.ca",
            "hosts-0-is_primary": "on",
        },
    )
    assert response.status_code == 302
    created = Organization.objects.get(slug="cemtl")
    assert list(created.hosts.values_list("hostname", flat=True)) == ["cemtl.parcauto.ca"]


# --- Records of what happened: read-only for everyone ----------------------------------


@pytest.mark.parametrize(
    ("staff", "record"),
    [("manager", "event_a"), ("operator", "event_a"), ("operator", "email_a")],
)
def test_audit_events_and_emails_are_read_only_even_for_the_operator(
    request, records, staff, record
):
    client = signed_in(request.getfixturevalue(staff))
    row = getattr(records, record)
    before = (snapshot(AuditEvent), snapshot(OutboundEmail))
    page = client.get(admin_url(row))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.post(admin_url(row), {"action": "forged"}).status_code == 403
    assert client.post(admin_url(row, "delete"), {"post": "yes"}).status_code == 403
    opts = row._meta
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/").status_code == 403
    assert (snapshot(AuditEvent), snapshot(OutboundEmail)) == before


# --- People, staff roles and other models: operator admins only -------------------------


@pytest.mark.parametrize("staff", ["manager", "agent"])
@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/profile/",
        "/admin/accounts/staffrole/",
        "/admin/accounts/staffrole/add/",
        "/admin/account/emailaddress/",
        "/admin/mfa/authenticator/",
        "/admin/django_tasks_database/dbtaskresult/",
        "/admin/notifications/outboundemail/",
        "/admin/vehicles/vehicle/",
    ],
)
def test_managers_and_agents_never_reach_people_or_foreign_models(request, staff, path):
    assert signed_in(request.getfixturevalue(staff)).get(path).status_code == 403


def test_a_manager_cannot_grant_themselves_a_role(manager, other_organization):
    before = snapshot(StaffRole)
    response = signed_in(manager).post(
        "/admin/accounts/staffrole/add/",
        {"user": manager.pk, "role": Role.OPERATOR_ADMIN, "organization": ""},
    )
    assert response.status_code == 403
    assert snapshot(StaffRole) == before


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/profile/",
        "/admin/accounts/staffrole/",
        "/admin/account/emailaddress/",
        "/admin/mfa/authenticator/",
        "/admin/django_tasks_database/dbtaskresult/",
    ],
)
def test_the_operator_admin_role_opens_people_and_foreign_models(operator, path):
    # A StaffRole, not the superuser flag, and no per-model permission rows.
    assert not operator.is_superuser and not operator.user_permissions.exists()
    assert signed_in(operator).get(path).status_code == 200


def test_foreign_models_keep_their_own_limits_for_the_operator(operator):
    # django-tasks-db's admin forbids adding task results: the wrapper does not widen it.
    client = signed_in(operator)
    assert client.get("/admin/django_tasks_database/dbtaskresult/add/").status_code == 403
    assert not DBTaskResult.objects.exists()


def test_the_operator_admin_grants_a_manager_role(operator, organization):
    person = User.objects.create_user("nouveau@chus.example", "Stationnement-2026")
    response = signed_in(operator).post(
        "/admin/accounts/staffrole/add/",
        {"user": person.pk, "role": Role.MANAGER, "organization": organization.pk},
    )
    assert response.status_code == 302
    assert StaffRole.objects.get(user=person).organization == organization


def test_an_operator_admin_verifies_an_email_address(operator):
    person = User.objects.create_user("a-verifier@chus.example", "Stationnement-2026")
    address = EmailAddress.objects.create(user=person, email=person.email, verified=False)
    response = signed_in(operator).post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified


def test_the_operator_resets_a_lost_authenticator_without_ever_seeing_its_secret(operator, manager):
    client = signed_in(operator)
    totp = Authenticator.objects.get(user=manager, type=Authenticator.Type.TOTP)
    page = client.get(admin_url(totp)).content.decode()
    assert TOTP_SECRET not in page
    assert totp.data["secret"] not in page

    response = client.post(admin_url(totp, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=manager).exists()
    event = AuditEvent.objects.get(action="admin.mfa.authenticator.deleted")
    assert (event.actor, event.target_id) == (operator, str(totp.pk))
    assert signed_in(manager).get("/admin/").url == "/accounts/2fa/totp/activate/"


def test_not_even_the_operator_types_a_new_address_on_an_account(operator):
    person = User.objects.create_user("marie@chus.example", "Stationnement-2026")
    response = signed_in(operator).post(
        admin_url(person),
        {
            "email": "quelquun@ailleurs.example",
            "language": "fr",
            "signup_organization": "",
            "first_name": "Marie",
            "last_name": "",
            "is_active": "on",
            "staff_roles-TOTAL_FORMS": "0",
            "staff_roles-INITIAL_FORMS": "0",
            "staff_roles-MIN_NUM_FORMS": "0",
            "staff_roles-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.email, person.first_name) == ("marie@chus.example", "Marie")
