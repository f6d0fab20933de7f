"""The back office runs inside the tenant scope of what the staff member may see.

Requests to /admin/ come in on the root host, where no institution's scope is entered: the
admin enters the scope of the institutions the person holds a role for and renders its
pages inside it, so the inlines of a contract (consents, files) are read under the right
institution, and a missing narrowing can only ever show rows of those institutions.
"""

from __future__ import annotations

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.subscriptions.models import Consent, Subscription
from tests.backoffice.conftest import admin_url, changelist_rows, signed_in
from tests.backoffice.requests import (  # noqa: F401 - frozen_now reads NOW
    NOW,
    offer_of,
    submitted_request,
)
from tests.backoffice.staff import staff_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def contract(organization) -> Subscription:
    return submitted_request(offer_of(organization))


@pytest.mark.parametrize("staff", ["operator", "manager", "agent"])
def test_a_submitted_contract_opens_with_its_consents_and_files(request, contract, staff):
    response = signed_in(request.getfixturevalue(staff)).get(admin_url(contract))
    assert response.status_code == 200
    page = response.content.decode()
    assert "attestation stage.pdf" in page
    shown = {
        form.instance
        for inline in response.context["inline_admin_formsets"]
        for form in inline.formset.forms
        if isinstance(form.instance, Consent)
    }
    # The four consents of the wizard and the payment step.
    assert len(shown) == 4
    assert shown == set(Consent.objects.filter(subscription=contract))


def test_another_institutions_staff_do_not_find_the_contract(contract, other_organization):
    stranger = staff_member(StaffRole.Role.MANAGER, other_organization)
    client = signed_in(stranger)
    response = client.get(admin_url(contract))
    assert (response.status_code, response.url) == (302, "/admin/")
    assert changelist_rows(client, "/admin/subscriptions/subscription/") == set()
