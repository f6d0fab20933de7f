from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from django_scopes import ScopeError

from parcauto.tenants.middleware import OrganizationMiddleware
from parcauto.tenants.models import LegalText, OrganizationHost
from parcauto.tenants.selectors import organization_for_host

pytestmark = pytest.mark.django_db


def test_each_portal_shows_its_own_institution(organization, other_organization):
    chus = Client(HTTP_HOST="chus.testserver").get("/accounts/login/").content.decode()
    cisso = Client(HTTP_HOST="cisso.testserver").get("/accounts/login/").content.decode()
    assert "CIUSSS DE L&#x27;ESTRIE - CHUS" in chus
    assert "CISSS DE L&#x27;OUTAOUAIS" not in chus
    assert "CISSS DE L&#x27;OUTAOUAIS" in cisso


def test_an_unknown_host_name_is_not_found_rather_than_a_default_portal(organization):
    response = Client(HTTP_HOST="nowhere.testserver").get("/accounts/login/")
    assert response.status_code == 404


def test_the_host_name_port_and_case_do_not_matter(organization):
    assert organization_for_host("CHUS.testserver:8000") == organization


def test_an_inactive_institution_has_no_portal(organization):
    organization.is_active = False
    organization.save()
    assert organization_for_host("chus.testserver") is None


def test_a_host_name_added_as_data_answers(organization):
    OrganizationHost.objects.create(
        organization=organization, hostname="stationnement-chus.testserver"
    )
    response = Client(HTTP_HOST="stationnement-chus.testserver").get("/accounts/login/")
    assert response.status_code == 200
    assert response.context["organization"] == organization


def test_the_operator_host_lists_the_portals_with_their_links(organization, other_organization):
    page = Client().get("/").content.decode()
    assert 'href="http://chus.testserver/"' in page
    assert 'href="http://cisso.testserver/"' in page


def test_a_portal_home_sends_visitors_to_the_login_page(portal_client):
    response = portal_client.get("/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/"


def test_tenant_data_cannot_be_read_on_the_operator_host_outside_the_back_office(rf):
    def view(request):
        return HttpResponse(str(LegalText.objects.count()))

    middleware = OrganizationMiddleware(view)
    with pytest.raises(ScopeError):
        middleware(rf.get("/", HTTP_HOST="testserver"))


def test_the_institution_of_a_host_is_read_once_then_cached(
    organization, django_assert_num_queries
):
    assert organization_for_host("chus.testserver") == organization
    with django_assert_num_queries(0):
        cached = organization_for_host("chus.testserver")
    assert cached == organization
    assert cached.name_fr == organization.name_fr
