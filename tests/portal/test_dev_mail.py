from __future__ import annotations

import re

from django.core.mail import EmailMultiAlternatives
from django.test import Client

from parcauto.notifications.mailer import MailDirBackend
from parcauto.notifications.models import OutboundEmail
from tests.factories import UserFactory


def _write_one(directory) -> str:
    message = EmailMultiAlternatives(
        subject="Validez votre adresse courriel",
        body="Bonjour,\nhttp://cem.localhost:8000/accounts/confirm-email/abc/",
        from_email="no-reply@parcauto.localhost",
        to=["marie@example.com"],
    )
    assert MailDirBackend(directory=str(directory)).send_messages([message]) == 1
    (name,) = [path.stem for path in directory.glob("*.eml")]
    return name


def test_the_development_mailbox_lists_and_shows_each_message(settings, tmp_path, client, db):
    settings.DEBUG = True
    settings.MAIL_DIR = tmp_path
    name = _write_one(tmp_path)

    listing = client.get("/dev/mail/").content.decode()
    assert "Validez votre adresse courriel" in listing
    assert f'href="/dev/mail/{name}/"' in listing

    detail = client.get(f"/dev/mail/{name}/").content.decode()
    assert '<a href="http://cem.localhost:8000/accounts/confirm-email/abc/"' in detail


def test_the_development_mailbox_does_not_exist_outside_debug(settings, tmp_path, client, db):
    settings.MAIL_DIR = tmp_path
    name = _write_one(tmp_path)
    assert client.get("/dev/mail/").status_code == 404
    assert client.get(f"/dev/mail/{name}/").status_code == 404


def test_a_developer_follows_a_reset_link_the_outbox_keeps_redacted(
    settings, tmp_path, client, organization, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.MAIL_DIR = tmp_path
    settings.MAILERS = {
        "default": {
            "BACKEND": "parcauto.notifications.mailer.MailDirBackend",
            "OPTIONS": {"directory": str(tmp_path)},
        }
    }
    UserFactory(email="marie@chus.example")
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_HOST="chus.testserver").post(
            "/accounts/password/reset/", {"email": "marie@chus.example"}
        )
    (name,) = [path.stem for path in tmp_path.glob("*.eml")]
    detail = client.get(f"/dev/mail/{name}/").content.decode()
    link = re.search(
        r'<a href="(http://chus\.testserver/accounts/password/reset/key/[^"]+)"', detail
    )
    assert link, detail
    stored = OutboundEmail.objects.get(to="marie@chus.example")
    assert link.group(1) not in stored.body_text
