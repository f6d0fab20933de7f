"""The notices allauth sends about an account: ours only, in the guides' wording."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

EMAIL = "marie@chus.example"
NEW_PASSWORD = "Nouveau-Permis-2027"


@pytest.fixture
def marie(organization):
    return ProfileFactory(user__email=EMAIL).user


def test_a_password_reset_through_the_link_is_told_to_the_person(
    marie, django_capture_on_commit_callbacks
):
    portal = Client(HTTP_HOST="chus.testserver", REMOTE_ADDR="203.0.113.9")
    with django_capture_on_commit_callbacks(execute=True):
        portal.post("/accounts/password/reset/", {"email": EMAIL})
    path = re.search(r"http://chus\.testserver(\S+/)", mail.outbox[0].body).group(1)
    form = portal.get(path, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        portal.post(
            form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    notice = mail.outbox[-1]
    assert notice.to == [EMAIL]
    assert notice.subject == "CIUSSS de l'Estrie - CHUS · Votre mot de passe a été changé"
    assert "Le mot de passe de votre compte de stationnement vient d'être changé." in notice.body
    assert "203.0.113.9" not in notice.body  # allauth's notices carry the IP: not ours


def test_cancelling_a_change_sends_nothing(marie, django_capture_on_commit_callbacks):
    portal = Client(HTTP_HOST="chus.testserver")
    portal.force_login(marie)
    with django_capture_on_commit_callbacks(execute=True):
        portal.post("/accounts/email/", {"action_add": "", "email": "marie@nouveau.example"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(
            "/accounts/email/", {"action_remove": "", "email": "marie@nouveau.example"}
        )
    assert mail.outbox == []  # allauth's "address removed" notice is not among ours
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages[-1] == "Le changement pour marie@nouveau.example est annulé."
    assert list(marie.emailaddress_set.values_list("email", flat=True)) == [EMAIL]
