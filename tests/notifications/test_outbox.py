from __future__ import annotations

import importlib
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core import mail

from parcauto.notifications.delivery import Outcome, email_deliver
from parcauto.notifications.models import OutboundEmail
from parcauto.notifications.services import email_queue

pytestmark = pytest.mark.django_db


def test_an_email_is_delivered_only_after_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(to="a@example.com", subject="Objet", body_text="Bonjour")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == ["Objet"]
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.sent_at is not None


def test_delivering_the_same_email_twice_sends_it_once() -> None:
    email = email_queue(to="a@example.com", subject="Objet", body_text="Bonjour")
    assert email_deliver(email_id=email.pk) is Outcome.SENT
    assert email_deliver(email_id=email.pk) is Outcome.SKIPPED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == email.message_id


def test_a_failed_delivery_is_recorded_and_queued_again() -> None:
    email = email_queue(to="a@example.com", subject="Objet", body_text="Bonjour")
    with mock.patch(
        "django.core.mail.message.EmailMessage.send", side_effect=OSError("relay down")
    ):
        assert email_deliver(email_id=email.pk) is Outcome.NOT_SENT
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 1
    assert email.next_attempt_at is not None
    assert "relay down" in email.last_error
    assert email_deliver(email_id=email.pk) is Outcome.SENT
    assert len(mail.outbox) == 1


def test_each_outbox_row_has_its_own_message_id() -> None:
    first = email_queue(to="a@example.com", subject="Objet", body_text="Bonjour")
    second = email_queue(to="a@example.com", subject="Objet", body_text="Bonjour")
    assert first.message_id != second.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@parcauto.localhost>")


def test_subjects_are_kept_on_one_line() -> None:
    email = email_queue(to="a@example.com", subject="Votre\n  compte", body_text="x")
    assert email.subject == "Votre compte"


# --- Messages carrying a personal link -------------------------------------------------

LINK = "http://chus.testserver/accounts/password/reset/key/4-cqz8e1-a5f6b9c0d1e2f3/"
KEY = "cqz8e1-a5f6b9c0d1e2f3"


def _with_link() -> OutboundEmail:
    return email_queue(
        to="a@example.com",
        subject="Nouveau mot de passe",
        body_text=f"Ouvrez {LINK}",
        body_html=f'<a href="{LINK}">Choisir</a>',
        secrets=[LINK, KEY],
    )


def _stored(email: OutboundEmail) -> str:
    email.refresh_from_db()
    return " ".join([email.subject, email.body_text, email.body_html])


def test_a_personal_link_is_stored_redacted_and_sent_whole(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = _with_link()
    stored = _stored(email)
    assert KEY not in stored
    assert "Ouvrez [lien personnel retiré de la copie conservée]" in email.body_text
    assert email.sealed and KEY not in email.sealed  # encrypted, not merely encoded

    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.body == f"Ouvrez {LINK}"
    assert message.alternatives[0][0] == f'<a href="{LINK}">Choisir</a>'
    email.refresh_from_db()
    assert email.sealed == ""  # erased once sent


def test_a_failed_delivery_keeps_the_sealed_copy_for_the_retry(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _with_link()
    with mock.patch(
        "django.core.mail.message.EmailMessage.send", side_effect=OSError("relay down")
    ):
        assert email_deliver(email_id=email.pk) is Outcome.NOT_SENT
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.sealed
    assert email_deliver(email_id=email.pk) is Outcome.SENT
    assert LINK in mail.outbox[0].body
    assert KEY not in _stored(email)
    assert email.sealed == ""


def test_a_copy_sealed_before_a_secret_key_rotation_is_still_sent(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = _with_link()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert email_deliver(email_id=email.pk) is Outcome.SENT
    assert LINK in mail.outbox[0].body


def test_a_copy_no_configured_key_opens_is_not_sent(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _with_link()
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert email_deliver(email_id=email.pk) is Outcome.NOT_SENT
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "SECRET_KEY" in email.last_error


def test_links_stored_before_sealing_existed_are_redacted_by_the_migration(organization):
    migration = importlib.import_module(
        "parcauto.notifications.migrations.0003_outboundemail_sealed_and_links_redacted"
    )
    sent = OutboundEmail.objects.create(
        organization=organization,
        template="account/email/password_reset_key",
        from_email="no-reply@parcauto.ca",
        to="a@example.com",
        subject="Nouveau mot de passe",
        body_text=f"Ouvrez {LINK}",
        body_html=f'<a href="{LINK}">Choisir</a>',
        status=OutboundEmail.Status.SENT,
    )
    queued = OutboundEmail.objects.create(
        from_email="no-reply@parcauto.ca",
        to="b@example.com",
        subject="Validez",
        body_text="http://chus.testserver/accounts/confirm-email/MQ:1v2:abc/",
    )
    other = OutboundEmail.objects.create(
        organization=organization,
        template="subscription_approved",
        from_email="no-reply@parcauto.ca",
        to="c@example.com",
        subject="Approuvée",
        body_text="http://chus.testserver/abonnements/",
    )
    migration.redact_stored_links(django_apps, None)

    assert KEY not in _stored(sent)
    assert "/accounts/password/reset/key/[lien retiré / link removed]/" in sent.body_text
    assert (sent.organization, sent.sealed) == (None, "")
    assert "MQ:1v2:abc" not in _stored(queued)
    assert email_deliver(email_id=queued.pk) is Outcome.SENT  # the sealed copy goes out whole
    assert "MQ:1v2:abc" in mail.outbox[0].body
    assert _stored(other) == "Approuvée http://chus.testserver/abonnements/ "
    assert other.organization == organization
