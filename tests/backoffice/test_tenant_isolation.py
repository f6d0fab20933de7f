"""One institution's staff never see another institution's data."""

from __future__ import annotations

import pytest
from django.contrib.admin import RelatedOnlyFieldListFilter, site
from django.test import Client, RequestFactory

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin
from parcauto.tenants.models import LegalText, Organization
from tests.backoffice.conftest import admin_url, changelist_rows, signed_in, snapshot
from tests.backoffice.staff import staff_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = {
    "legal texts": "/admin/tenants/legaltext/",
    "audit events": "/admin/audit/auditevent/",
    "outbound e-mails": "/admin/notifications/outboundemail/",
    "institutions": "/admin/tenants/organization/",
}


def _expected(records, organization, which):
    return {
        "legal texts": {records.text_a} if which == "a" else {records.text_b},
        "audit events": {records.event_a} if which == "a" else {records.event_b},
        "institutions": {organization},
    }


@pytest.mark.parametrize(
    ("staff", "name"),
    [
        ("manager", "legal texts"),
        ("manager", "audit events"),
        ("manager", "institutions"),
        ("agent", "legal texts"),
        ("agent", "institutions"),
    ],
)
def test_changelists_show_only_the_staff_members_institution(
    request, records, organization, staff, name
):
    client = signed_in(request.getfixturevalue(staff))
    rows = changelist_rows(client, CHANGELISTS[name])
    assert rows == _expected(records, organization, "a")[name]


@pytest.mark.parametrize(
    ("staff", "name"),
    [
        # E-mails go to people, who are no institution's rows: the operator's alone.
        ("manager", "outbound e-mails"),
        ("agent", "outbound e-mails"),
        # Agents work in the request pages, whose history is what they need.
        ("agent", "audit events"),
    ],
)
def test_lists_the_role_does_not_need_are_refused(request, records, staff, name):
    client = signed_in(request.getfixturevalue(staff))
    assert client.get(CHANGELISTS[name]).status_code == 403


def test_searching_never_reaches_another_institution(manager, records):
    client = signed_in(manager)
    assert changelist_rows(client, "/admin/audit/auditevent/?q=test.cisso") == set()


@pytest.mark.parametrize("view", ["change", "history"])
@pytest.mark.parametrize(
    ("staff", "record"),
    [
        ("manager", "text_b"),
        ("manager", "event_b"),
        ("manager", "event_global"),
        ("agent", "text_b"),
    ],
)
def test_another_institutions_pages_answer_as_if_the_row_did_not_exist(
    request, records, staff, view, record
):
    client = signed_in(request.getfixturevalue(staff))
    response = client.get(admin_url(getattr(records, record), view))
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert "existe pas" in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    ("staff", "record"),
    [
        ("manager", "email_a"),
        ("manager", "email_b"),
        ("agent", "email_a"),
        ("agent", "email_b"),
        ("agent", "event_a"),
    ],
)
def test_records_the_role_does_not_need_are_refused_even_for_its_institution(
    request, records, staff, record
):
    client = signed_in(request.getfixturevalue(staff))
    response = client.get(admin_url(getattr(records, record)))
    assert response.status_code == 403
    if record.startswith("email"):
        assert getattr(records, record).to not in response.content.decode()


@pytest.mark.parametrize("staff", ["manager", "agent"])
@pytest.mark.parametrize("view", ["change", "history"])
def test_another_institutions_record_is_out_of_reach(request, other_organization, staff, view):
    client = signed_in(request.getfixturevalue(staff))
    response = client.get(admin_url(other_organization, view))
    assert (response.status_code, response.url) == (302, "/admin/")


@pytest.mark.parametrize(
    ("staff", "record", "status"),
    [
        # A manager may delete texts: B's is simply not found.
        ("manager", "text_b", 302),
        # Nobody but the operator deletes institutions, audit events or e-mails.
        ("manager", "event_b", 403),
        ("manager", "email_b", 403),
        ("manager", "other_organization", 403),
        # An agent deletes nothing at all.
        ("agent", "text_b", 403),
        ("agent", "event_b", 403),
        ("agent", "other_organization", 403),
    ],
)
def test_another_institutions_delete_pages_are_refused(
    request, records, other_organization, staff, record, status
):
    client = signed_in(request.getfixturevalue(staff))
    row = other_organization if record == "other_organization" else getattr(records, record)
    response = client.get(admin_url(row, "delete"))
    assert response.status_code == status
    if status == 302:
        assert response.url == "/admin/"


def test_a_forged_post_on_another_institutions_text_changes_nothing(manager, records):
    client = signed_in(manager)
    before = snapshot(LegalText)
    response = client.post(
        admin_url(records.text_b),
        {
            "organization": records.text_b.organization_id,
            "kind": records.text_b.kind,
            "version": "1",
            "body_fr": "Réécrit par un autre établissement",
            "published_at_0": "2030-01-01",
            "published_at_1": "00:00:00",
        },
    )
    assert (response.status_code, response.url) == (302, "/admin/")
    assert snapshot(LegalText) == before


def test_a_forged_delete_of_another_institutions_row_deletes_nothing(manager, records):
    client = signed_in(manager)
    before = snapshot(LegalText)
    response = client.post(admin_url(records.text_b, "delete"), {"post": "yes"})
    assert (response.status_code, response.url) == (302, "/admin/")
    response = client.post(
        "/admin/tenants/legaltext/",
        {"action": "delete_selected", "_selected_action": [records.text_b.pk], "post": "yes"},
    )
    assert snapshot(LegalText) == before


def test_another_institution_is_never_offered_in_a_form(manager, records, organization):
    client = signed_in(manager)
    response = client.get("/admin/tenants/legaltext/add/")
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["organization"].queryset
    assert list(choices) == [organization]


def test_filters_offer_only_values_of_the_staff_members_institution(manager, records):
    page = signed_in(manager).get("/admin/audit/auditevent/").content.decode()
    assert "test.chus" in page
    assert "test.cisso" not in page
    assert "test.global" not in page


def test_a_filter_on_a_relation_lists_only_related_rows_in_reach(manager, operator):
    class EventsByInstitution(OrganizationScopedAdmin):
        list_filter = ["organization", "action"]

    model_admin = EventsByInstitution(AuditEvent, site)
    as_manager = RequestFactory().get("/admin/")
    as_manager.user = manager
    assert model_admin.get_list_filter(as_manager) == [
        ("organization", RelatedOnlyFieldListFilter),
        "action",
    ]
    as_operator = RequestFactory().get("/admin/")
    as_operator.user = operator
    assert model_admin.get_list_filter(as_operator) == ["organization", "action"]


@pytest.mark.parametrize("path", ["/admin/", *CHANGELISTS.values()])
def test_anonymous_people_are_sent_to_the_login_that_asks_for_the_code(client, db, path):
    response = client.get(path, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert response.status_code == 200


def test_a_signed_in_customer_is_refused_the_back_office(records):
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/admin/tenants/legaltext/", follow=True)
    assert response.status_code == 403
    assert "Conditions du CHUS" not in response.content.decode()


def test_the_back_office_does_not_exist_on_a_portal_host(manager, records):
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(manager)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/tenants/legaltext/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_the_index_lists_only_what_the_role_may_open(manager, agent, operator):
    manager_index = signed_in(manager).get("/admin/").content.decode()
    assert "/admin/tenants/legaltext/" in manager_index
    assert "/admin/audit/auditevent/" in manager_index
    assert "/admin/accounts/user/" not in manager_index
    assert "/admin/accounts/staffrole/" not in manager_index
    assert "/admin/mfa/authenticator/" not in manager_index
    assert "/admin/notifications/outboundemail/" not in manager_index
    agent_index = signed_in(agent).get("/admin/").content.decode()
    assert "/admin/tenants/legaltext/" in agent_index
    assert "/admin/audit/auditevent/" not in agent_index
    assert "/admin/notifications/outboundemail/" not in agent_index
    operator_index = signed_in(operator).get("/admin/").content.decode()
    assert "/admin/accounts/user/" in operator_index
    assert "/admin/mfa/authenticator/" in operator_index
    assert "/admin/notifications/outboundemail/" in operator_index
    assert "/admin/auth/group/" not in operator_index  # permissions come from staff roles


@pytest.mark.parametrize(
    ("role", "model"),
    [
        (StaffRole.Role.AGENT, LegalText),
        (StaffRole.Role.AGENT, Organization),
        (StaffRole.Role.MANAGER, AuditEvent),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_the_staff_of_b_see_b_and_not_a(role, model, records, other_organization):
    staff_b = staff_member(role, other_organization)
    opts = model._meta
    rows = changelist_rows(signed_in(staff_b), f"/admin/{opts.app_label}/{opts.model_name}/")
    organization_ids = {row.pk if model is Organization else row.organization_id for row in rows}
    assert organization_ids == {other_organization.pk}
