"""The staff-role form of the back office: a forged person id is a form error, never a 500."""

from __future__ import annotations

import pytest

from parcauto.accounts.models import StaffRole
from tests.backoffice.conftest import signed_in, snapshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("forged", ["foo", "²", "9" * 23, "-1"])
def test_a_person_id_that_is_no_id_is_refused_on_the_page(operator, organization, forged):
    before = snapshot(StaffRole)
    response = signed_in(operator).post(
        "/admin/accounts/staffrole/add/",
        {"user": forged, "role": StaffRole.Role.AGENT, "organization": organization.pk},
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert snapshot(StaffRole) == before


def test_a_search_for_a_nul_byte_is_a_400(operator):
    # PostgreSQL cannot compare text holding a NUL byte: the search raised DataError.
    response = signed_in(operator).get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "staffrole", "field_name": "user", "term": "a\x00"},
    )
    assert response.status_code == 400


def test_the_autocomplete_finds_a_person_by_e_mail(operator):
    person = UserFactory(email="nouveau@chus.example")
    response = signed_in(operator).get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "staffrole", "field_name": "user", "term": "nouv"},
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(person.pk)]
