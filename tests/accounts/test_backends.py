"""The authentication backends load the profile and staff status with the user, afresh."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parcauto.accounts.backends import AuthenticationBackend, ModelBackend
from parcauto.accounts.middleware import _is_staff_member
from parcauto.accounts.models import StaffRole
from parcauto.accounts.roles import is_staff_member
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Stationnement-2026"
ACTIVATE = "/accounts/2fa/totp/activate/"
BACKENDS = [ModelBackend, AuthenticationBackend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_query_brings_the_user_their_profile_and_staff_status(
    backend, django_assert_num_queries
):
    person = ProfileFactory(first_name="Marie").user
    with django_assert_num_queries(1):
        user = backend().get_user(person.pk)
        assert user is not None
        assert user.profile.first_name == "Marie"
        assert user.has_staff_role is False


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_person_without_a_profile_has_none_without_another_query(
    backend, django_assert_num_queries
):
    person = UserFactory()
    with django_assert_num_queries(1):
        user = backend().get_user(person.pk)
        assert user is not None
        assert not hasattr(user, "profile")


@pytest.mark.parametrize("backend", BACKENDS)
def test_inactive_or_unknown_people_are_not_loaded(backend):
    assert backend().get_user(UserFactory(is_active=False).pk) is None
    assert backend().get_user(987654) is None


@pytest.mark.parametrize("is_staff", [False, True])
@pytest.mark.parametrize("is_superuser", [False, True])
@pytest.mark.parametrize("role", [None, StaffRole.Role.AGENT])
def test_the_middleware_decides_who_is_staff_as_the_roles_module_does(
    organization, is_staff, is_superuser, role
):
    person = UserFactory(is_staff=is_staff, is_superuser=is_superuser)
    if role:
        StaffRole.objects.create(user=person, role=role, organization=organization)
    loaded = AuthenticationBackend().get_user(person.pk)
    assert _is_staff_member(loaded) is is_staff_member(person)


def test_portal_requests_ask_no_separate_profile_or_staff_role_query(portal_client):
    portal_client.force_login(ProfileFactory().user)
    with CaptureQueriesContext(connection) as queries:
        assert portal_client.get("/tableau-de-bord/").status_code == 200
    separate = [
        query["sql"]
        for query in queries
        if 'FROM "accounts_profile"' in query["sql"]
        or ('"accounts_staffrole"' in query["sql"] and '"accounts_user"' not in query["sql"])
    ]
    assert separate == []


def test_a_role_granted_to_a_signed_in_person_requires_the_app_at_their_next_request(
    portal_client, organization
):
    person = ProfileFactory().user
    portal_client.force_login(person)
    assert portal_client.get("/tableau-de-bord/").status_code == 200
    StaffRole.objects.create(user=person, role=StaffRole.Role.AGENT, organization=organization)
    response = portal_client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response.url == ACTIVATE


def test_a_revoked_role_stops_requiring_the_app_at_the_next_request(portal_client, organization):
    person = ProfileFactory().user
    role = StaffRole.objects.create(
        user=person, role=StaffRole.Role.AGENT, organization=organization
    )
    portal_client.force_login(person)
    assert portal_client.get("/tableau-de-bord/").url == ACTIVATE
    role.delete()
    assert portal_client.get("/tableau-de-bord/").status_code == 200


def test_logging_in_by_e_mail_records_our_backend_and_logging_out_ends_the_session(
    organization,
):
    person = ProfileFactory().user  # verified address, PASSWORD (tests/factories.py)
    client = Client(HTTP_HOST="chus.testserver")
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY].startswith("parcauto.accounts.backends.")
    assert client.get("/tableau-de-bord/").status_code == 200
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    assert client.get("/tableau-de-bord/").status_code == 302
