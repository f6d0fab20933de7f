"""Inlines follow their parent row: the mixins catalog admins use for child rows."""

from __future__ import annotations

import pytest
from django.contrib.admin import AdminSite
from django.test import RequestFactory

from parcauto.backoffice.admin_scoping import (
    OperatorEditedInlineMixin,
    OrganizationScopedAdmin,
    OrganizationScopedTabularInline,
)
from parcauto.tenants.models import LegalText, Organization, OrganizationHost

pytestmark = pytest.mark.django_db


class TextsInline(OrganizationScopedTabularInline):
    model = LegalText


class HostsInline(OperatorEditedInlineMixin, OrganizationScopedTabularInline):
    model = OrganizationHost


class InstitutionAdmin(OrganizationScopedAdmin):
    organization_field = "pk"
    inlines = [TextsInline, HostsInline]


@pytest.fixture
def site():
    site = AdminSite(name="inline-tests")
    site.register(Organization, InstitutionAdmin)
    return site


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _rights(inline, user, obj):
    request = _request(user)
    return {
        "view": inline.has_view_permission(request, obj),
        "add": inline.has_add_permission(request, obj),
        "change": inline.has_change_permission(request, obj),
        "delete": inline.has_delete_permission(request, obj),
    }


ALL = {"view": True, "add": True, "change": True, "delete": True}
VIEW = {"view": True, "add": False, "change": False, "delete": False}
NONE = {"view": False, "add": False, "change": False, "delete": False}


def test_a_scoped_inline_is_edited_by_the_parents_manager_only(
    site, manager, agent, operator, organization, other_organization
):
    inline = TextsInline(Organization, site)
    assert _rights(inline, manager, organization) == ALL
    assert _rights(inline, manager, other_organization) == NONE
    assert _rights(inline, agent, organization) == VIEW
    assert _rights(inline, operator, other_organization) == ALL


def test_an_operator_edited_inline_is_only_viewed_by_the_institutions_staff(
    site, manager, operator, organization, other_organization
):
    inline = HostsInline(Organization, site)
    assert _rights(inline, manager, organization) == VIEW
    assert _rights(inline, manager, other_organization)["view"] is False
    assert _rights(inline, operator, organization) == ALL


def test_an_inline_offers_only_the_institutions_the_person_manages(
    site, manager, organization, other_organization
):
    inline = TextsInline(Organization, site)
    field = inline.formfield_for_foreignkey(
        LegalText._meta.get_field("organization"), _request(manager)
    )
    assert list(field.queryset) == [organization]
