"""Every change made through the back office writes an audit event in its transaction."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.tenants.models import LegalText
from tests.backoffice.conftest import (
    admin_url,
    new_text_form,
    organization_form,
    signed_in,
    text_form,
)

pytestmark = pytest.mark.django_db

Role = StaffRole.Role


def _admin_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="admin.").order_by("id"))


def test_adding_a_text_is_audited_with_its_institution_and_fields(manager, organization):
    signed_in(manager).post("/admin/tenants/legaltext/add/", new_text_form(organization))
    text = LegalText.objects.get(kind=LegalText.Kind.PRIVACY_POLICY)
    [event] = _admin_events()
    assert (event.action, event.actor, event.organization) == (
        "admin.tenants.legaltext.added",
        manager,
        organization,
    )
    assert (event.target_type, event.target_id) == ("tenants.legaltext", str(text.pk))
    assert event.data == {"fields": ["body_fr", "kind", "organization", "published_at", "version"]}


def test_changing_a_text_records_the_changed_field_names_not_the_values(manager, records):
    signed_in(manager).post(
        admin_url(records.text_a), text_form(records.text_a, body_fr="Conditions révisées")
    )
    [event] = _admin_events()
    assert event.action == "admin.tenants.legaltext.changed"
    assert event.organization == records.text_a.organization
    assert event.data == {"fields": ["body_fr"]}
    assert "révisées" not in str(event.data)


def test_saving_without_a_change_records_nothing(manager, records):
    response = signed_in(manager).post(admin_url(records.text_a), text_form(records.text_a))
    assert response.status_code == 302
    assert _admin_events() == []


def test_deleting_a_text_is_audited_with_its_former_id(manager, records):
    text_id = records.text_a.pk
    signed_in(manager).post(admin_url(records.text_a, "delete"), {"post": "yes"})
    [event] = _admin_events()
    assert (event.action, event.target_id, event.organization) == (
        "admin.tenants.legaltext.deleted",
        str(text_id),
        records.text_a.organization,
    )


def test_a_bulk_delete_audits_each_row(manager, organization, records):
    second = LegalText.objects.create(
        organization=organization,
        kind=LegalText.Kind.PAYMENT_CONDITIONS,
        version=1,
        body_fr="Paiement",
        published_at=records.text_a.published_at,
    )
    signed_in(manager).post(
        "/admin/tenants/legaltext/",
        {
            "action": "delete_selected",
            "_selected_action": [records.text_a.pk, second.pk],
            "post": "yes",
        },
    )
    assert sorted((e.action, e.target_id) for e in _admin_events()) == sorted(
        [
            ("admin.tenants.legaltext.deleted", str(records.text_a.pk)),
            ("admin.tenants.legaltext.deleted", str(second.pk)),
        ]
    )


def test_a_refused_change_leaves_no_event(agent, records):
    signed_in(agent).post(admin_url(records.text_a), text_form(records.text_a, body_fr="X"))
    assert _admin_events() == []


def test_inline_host_names_are_audited_under_their_institution(operator, organization):
    signed_in(operator).post(
        admin_url(organization),
        organization_form(
            organization,
            **{
                "hosts-TOTAL_FORMS": "2",
                "hosts-1-hostname": "stationnement.chus.example",
                "hosts-1-organization": organization.pk,
            },
        ),
    )
    host = organization.hosts.get(hostname="stationnement.chus.example")
    [event] = _admin_events()
    assert (event.action, event.organization, event.target_id) == (
        "admin.tenants.organizationhost.added",
        organization,
        str(host.pk),
    )
    assert event.data == {"fields": ["hostname"]}


def test_a_staff_role_granted_on_a_person_is_audited(operator, organization):
    person = User.objects.create_user("nouveau@chus.example", "Stationnement-2026")
    signed_in(operator).post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "email": person.email,
            "language": "fr",
            "signup_organization": "",
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "staff_roles-TOTAL_FORMS": "1",
            "staff_roles-INITIAL_FORMS": "0",
            "staff_roles-MIN_NUM_FORMS": "0",
            "staff_roles-MAX_NUM_FORMS": "1000",
            "staff_roles-0-user": person.pk,
            "staff_roles-0-role": Role.AGENT,
            "staff_roles-0-organization": organization.pk,
        },
    )
    role = StaffRole.objects.get(user=person)
    assert [(e.action, e.target_id) for e in _admin_events()] == [
        ("admin.accounts.staffrole.added", str(role.pk))
    ]


def test_a_password_set_by_an_operator_is_audited(operator):
    person = User.objects.create_user("oublie@chus.example", "Stationnement-2026")
    response = signed_in(operator).post(
        f"/admin/accounts/user/{person.pk}/password/",
        {
            "password1": "Nouveau-mot-de-passe-2026",
            "password2": "Nouveau-mot-de-passe-2026",
            "usable_password": "true",
            "set-password": "",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Nouveau-mot-de-passe-2026")
    [event] = _admin_events()
    assert (event.action, event.actor, event.target_id, event.data) == (
        "admin.accounts.user.password_changed",
        operator,
        str(person.pk),
        {"usable": True},
    )


def test_a_custom_admin_action_is_audited_per_row(operator):
    person = User.objects.create_user("a-verifier@chus.example", "Stationnement-2026")
    address = EmailAddress.objects.create(user=person, email=person.email, verified=False)
    signed_in(operator).post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    address.refresh_from_db()
    assert address.verified
    assert [(e.action, e.target_id, e.actor) for e in _admin_events()] == [
        ("admin.account.emailaddress.make_verified", str(address.pk), operator)
    ]
