"""The staff-role form of the back office: a forged person id is a form error, never a 500."""

from __future__ import annotations

import pytest

from parcauto.accounts.models import StaffRole
from tests.backoffice.conftest import signed_in, snapshot

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
