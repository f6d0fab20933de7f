"""On the operator's host, a staff member's request runs in the scope of their
institutions: a page that forgot to narrow its rows still cannot show another one's."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_scopes import ScopeError

from parcauto.accounts.models import StaffRole, User
from parcauto.backoffice.middleware import StaffScopeMiddleware
from parcauto.tenants.models import LegalText, Organization
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory
from tests.scoping import unscoped, within

pytestmark = pytest.mark.django_db


def _every_text(request: HttpRequest) -> HttpResponse:
    # A page that forgot its filter: the scope alone narrows what it reads.
    texts = LegalText.objects.order_by("pk").values_list("body_fr", flat=True)
    return HttpResponse(" | ".join(texts))


def _page(user: User, portal: Organization | None = None) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.organization = portal  # type: ignore[attr-defined]
    middleware = StaffScopeMiddleware(_every_text)
    if portal is not None:  # OrganizationMiddleware entered the portal's scope
        with within(portal):
            return middleware(request).content.decode()
    return unscoped(middleware)(request).content.decode()


def test_an_institutions_staff_read_only_its_rows(records, manager, agent):
    assert _page(manager) == "Conditions du CHUS"
    assert _page(agent) == "Conditions du CHUS"


def test_someone_with_roles_in_two_institutions_reads_both(
    records, organization, other_organization
):
    both = staff_member(StaffRole.Role.MANAGER, organization, email="deux@example.com")
    StaffRole.objects.create(user=both, role=StaffRole.Role.AGENT, organization=other_organization)
    assert _page(both) == "Conditions du CHUS | Conditions du CISSSO"


def test_an_operator_admin_reads_every_institution(records, operator):
    assert _page(operator) == "Conditions du CHUS | Conditions du CISSSO"


def test_anyone_else_on_the_operators_host_reads_no_tenant_row(records):
    with pytest.raises(ScopeError):
        _page(ProfileFactory().user)


def test_a_portal_request_keeps_its_institutions_scope(records, operator, other_organization):
    assert _page(operator, other_organization) == "Conditions du CISSSO"
