from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail

from parcauto.notifications.models import OutboundEmail
from parcauto.notifications.services import email_deliver, email_queue

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
    assert email_deliver(email_id=email.pk) is True
    assert email_deliver(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_delivery_is_recorded_and_can_be_retried() -> None:
    email = email_queue(to="a@example.com", subject="Objet", body_text="Bonjour")
    with (
        mock.patch("django.core.mail.message.EmailMessage.send", side_effect=OSError("relay down")),
        pytest.raises(OSError),
    ):
        email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "relay down" in email.last_error
    assert email_deliver(email_id=email.pk) is True
    assert len(mail.outbox) == 1


def test_subjects_are_kept_on_one_line() -> None:
    email = email_queue(to="a@example.com", subject="Votre\n  compte", body_text="x")
    assert email.subject == "Votre compte"
