from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from parcauto.accounts.models import StaffRole
from parcauto.accounts.roles import (
    NO_ACCESS,
    is_operator_admin,
    is_staff_member,
    organizations_editable_by,
    organizations_visible_to,
    staff_access,
)
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = StaffRole.Role


def _with_role(role: str, organization=None, user=None):
    user = user or UserFactory()
    StaffRole.objects.create(user=user, role=role, organization=organization)
    return user


def test_a_superuser_is_an_operator_admin_of_every_institution(organization, other_organization):
    user = UserFactory(is_superuser=True)
    access = staff_access(user)
    assert access.operator_admin
    assert access.may_edit(organization.pk) and access.may_edit(other_organization.pk)
    assert set(organizations_editable_by(user)) == {organization, other_organization}
    assert is_operator_admin(user)


def test_the_operator_admin_role_covers_every_institution_and_rows_of_none(
    organization, other_organization
):
    user = _with_role(Role.OPERATOR_ADMIN)
    access = staff_access(user)
    assert access.operator_admin
    assert access.may_view(None)
    assert access.may_edit(other_organization.pk)
    assert set(organizations_visible_to(user)) == {organization, other_organization}


def test_a_manager_views_and_edits_their_institution_only(organization, other_organization):
    manager = _with_role(Role.MANAGER, organization)
    access = staff_access(manager)
    assert not access.operator_admin
    assert access.is_staff
    assert (access.may_view(organization.pk), access.may_edit(organization.pk)) == (True, True)
    assert (access.may_view(other_organization.pk), access.may_edit(other_organization.pk)) == (
        False,
        False,
    )
    assert not access.may_view(None)
    assert list(organizations_editable_by(manager)) == [organization]


def test_an_agent_views_their_institution_and_edits_nothing(organization, other_organization):
    agent = _with_role(Role.AGENT, organization)
    access = staff_access(agent)
    assert access.is_staff
    assert access.may_view(organization.pk)
    assert not access.may_edit(organization.pk)
    assert not access.may_edit_somewhere
    assert not access.may_view(other_organization.pk)
    assert list(organizations_visible_to(agent)) == [organization]
    assert list(organizations_editable_by(agent)) == []


def test_two_roles_are_judged_institution_by_institution(organization, other_organization):
    person = _with_role(Role.MANAGER, organization)
    _with_role(Role.AGENT, other_organization, user=person)
    third = OrganizationFactory(slug="cemtl")
    access = staff_access(person)
    assert access.may_edit(organization.pk)
    assert access.may_view(other_organization.pk) and not access.may_edit(other_organization.pk)
    assert not access.may_view(third.pk)
    assert set(organizations_visible_to(person)) == {organization, other_organization}
    assert list(organizations_editable_by(person)) == [organization]


def test_customers_anonymous_and_deactivated_staff_have_no_access(organization):
    customer = UserFactory()
    deactivated = _with_role(Role.MANAGER, organization)
    deactivated.is_active = False
    deactivated.save()
    assert staff_access(customer) == NO_ACCESS
    assert staff_access(AnonymousUser()) == NO_ACCESS
    assert staff_access(deactivated) == NO_ACCESS
    assert not NO_ACCESS.is_staff
    assert list(organizations_visible_to(customer)) == []


def test_the_is_staff_flag_alone_asks_for_a_second_factor_but_opens_nothing(db):
    flagged = UserFactory(is_staff=True)
    assert is_staff_member(flagged)
    assert not staff_access(flagged).is_staff


def test_any_staff_role_makes_a_staff_member(organization):
    assert is_staff_member(_with_role(Role.AGENT, organization))
    assert not is_staff_member(UserFactory())
    assert not is_staff_member(AnonymousUser())
