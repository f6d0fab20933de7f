"""No staff member reads a usable personal link in the outbox (issue 9, finding 1).

A password reset asked on institution B's portal for institution A's customer used to be
filed under B, with every field shown to B's service centre in /admin/: B's agent read
the link and took over A's customer's account. Now account e-mails are filed under no
institution, the outbox is the operator admin's alone, and what it stores and shows
carries a placeholder where the link was; the sendable copy is sealed until it is sent.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from parcauto.accounts.models import StaffRole, User
from parcauto.notifications.models import OutboundEmail
from tests.backoffice.conftest import admin_url, signed_in
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

CUSTOMER = "marie@chus.example"
NEW_PASSWORD = "Nouveau-Permis-2027"
RESET_LINK = re.compile(r"http://cisso\.testserver(/accounts/password/reset/key/(\S+)/)")
PLACEHOLDER = "[lien personnel retiré de la copie conservée]"


@pytest.fixture
def customer_of_a(organization) -> User:
    return ProfileFactory(user__email=CUSTOMER, user__signup_organization=organization).user


@pytest.fixture
def reset_asked_on_b(customer_of_a, other_organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(HTTP_HOST="cisso.testserver").post(
            "/accounts/password/reset/", {"email": CUSTOMER}
        )
    assert response.status_code == 302
    (email,) = OutboundEmail.objects.filter(to=CUSTOMER)
    return email


def _key(message) -> str:
    match = RESET_LINK.search(message.body)
    assert match, message.body
    return match.group(2)


@pytest.mark.parametrize("role", [StaffRole.Role.AGENT, StaffRole.Role.MANAGER])
@pytest.mark.parametrize("institution", ["organization", "other_organization"])
def test_no_institutions_staff_reach_a_reset_email(request, reset_asked_on_b, role, institution):
    staff = staff_member(role, request.getfixturevalue(institution))
    client = signed_in(staff)
    assert client.get("/admin/notifications/outboundemail/").status_code == 403
    assert client.get(admin_url(reset_asked_on_b)).status_code == 403
    assert "/admin/notifications/" not in client.get("/admin/").content.decode()


def test_the_stored_copy_carries_no_usable_link(reset_asked_on_b):
    key = _key(mail.outbox[0])
    stored = OutboundEmail.objects.get(pk=reset_asked_on_b.pk)
    # Filed under no institution: accounts span every portal.
    assert stored.organization is None
    for text in (stored.subject, stored.body_text, stored.body_html):
        assert key not in text
    assert PLACEHOLDER in stored.body_text
    assert PLACEHOLDER in stored.body_html
    # Sent, so the sendable copy is gone too.
    assert stored.status == OutboundEmail.Status.SENT
    assert stored.sealed == ""


def test_the_operator_sees_the_message_without_its_link(operator, reset_asked_on_b):
    key = _key(mail.outbox[0])
    page = signed_in(operator).get(admin_url(reset_asked_on_b))
    assert page.status_code == 200
    html = page.content.decode()
    assert CUSTOMER in html
    assert PLACEHOLDER in html
    assert key not in html


def test_the_person_still_receives_a_link_that_works(customer_of_a, reset_asked_on_b):
    (message,) = mail.outbox
    path = RESET_LINK.search(message.body).group(1)
    portal = Client(HTTP_HOST="cisso.testserver")
    form = portal.get(path, follow=True)
    assert form.status_code == 200
    response = portal.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    customer_of_a.refresh_from_db()
    assert customer_of_a.check_password(NEW_PASSWORD)


def test_an_unsent_message_shows_neither_its_link_nor_its_sealed_copy(
    operator, customer_of_a, other_organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # not delivered yet
        Client(HTTP_HOST="cisso.testserver").post("/accounts/password/reset/", {"email": CUSTOMER})
    email = OutboundEmail.objects.get(to=CUSTOMER)
    assert email.sealed
    html = signed_in(operator).get(admin_url(email)).content.decode()
    assert email.sealed not in html
    assert "/accounts/password/reset/key/" not in html  # the whole link went
