"""Mail is never lost: the outbox against a real SMTP server that refuses, and workers
that die mid-send (issue 14).

The server (tests/notifications/smtp_sandbox.py) is aiosmtpd in this process, reached
through Django's SMTP backend. Time is moved with time-machine; the retry job is the
periodic task `retry_emails` the scheduler runs every minute.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from unittest import mock

import pytest
import time_machine
from django.db import connection

from parcauto.core.clock import LOCAL_TZ
from parcauto.notifications.delivery import Outcome, email_claim, email_deliver
from parcauto.notifications.models import OutboundEmail
from parcauto.notifications.services import email_queue
from parcauto.notifications.tasks import retry_emails
from tests.notifications.smtp_sandbox import SmtpSandbox
from tests.payments.factories import pad_agreement_make, pad_contract_make

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 10, 9, 0, tzinfo=LOCAL_TZ)
Status = OutboundEmail.Status
LINK = "http://chus.testserver/accounts/password/reset/key/4-cqz8e1-a5f6b9c0d1e2f3/"


class WorkerKilled(BaseException):
    """The worker process ends here: no `except Exception` of ours catches it."""


def _queue(count: int, *, django_capture_on_commit_callbacks) -> list[OutboundEmail]:
    with django_capture_on_commit_callbacks(execute=True):  # each one's task runs at commit
        return [
            email_queue(to=f"personne{n}@example.com", subject=f"Avis {n}", body_text="Bonjour")
            for n in range(count)
        ]


def _retry_job_every_minute(minutes: int, *, since: dt.datetime = START) -> None:
    for minute in range(1, minutes + 1):
        with time_machine.travel(since + dt.timedelta(minutes=minute), tick=False):
            retry_emails.call()


def _statuses() -> Counter[str]:
    return Counter(OutboundEmail.objects.values_list("status", flat=True))


def test_a_server_that_refuses_then_accepts_gets_every_message_exactly_once(
    smtp_server: SmtpSandbox, organization, django_capture_on_commit_callbacks
):
    smtp_server.refuse_next(4)  # 451 to the first four messages handed over
    with time_machine.travel(START, tick=False):
        emails = _queue(3, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        # The PAD confirmation the law requires (rule 27), queued by billing's service.
        pad_agreement_make(organization)
        with django_capture_on_commit_callbacks(execute=True):
            contract = pad_contract_make(
                organization, first_name="Hélène", last_name="Côté", account="123456789012"
            )
    notice = OutboundEmail.objects.get(template="pad_confirmation")
    assert smtp_server.received == []
    assert _statuses() == {Status.QUEUED: 4}
    assert notice.attempts == 1 and "451" in notice.last_error

    _retry_job_every_minute(10)

    assert _statuses() == {Status.SENT: 4}
    expected = sorted([*(e.message_id for e in emails), notice.message_id])
    assert smtp_server.message_ids() == expected  # each once, none twice
    (received_notice,) = (m for m in smtp_server.received if m["Message-ID"] == notice.message_id)
    assert str(contract.contract_number) in str(received_notice["Subject"])
    assert smtp_server.data_commands == 8  # 4 refused + 4 accepted, nothing more


def test_a_refused_message_waits_longer_after_each_attempt(
    smtp_server: SmtpSandbox, settings, django_capture_on_commit_callbacks
):
    settings.PARCAUTO_EMAIL_RETRY_SECONDS = 60
    smtp_server.refuse_always = True
    with time_machine.travel(START, tick=False):
        (email,) = _queue(1, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    waits, at = [], START
    for _ in range(3):
        email.refresh_from_db()
        waits.append(email.next_attempt_at - at)
        at = email.next_attempt_at
        with time_machine.travel(at, tick=False):
            retry_emails.call()
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4)]
    with time_machine.travel(at + dt.timedelta(minutes=7), tick=False):
        retry_emails.call()  # 8 minutes are not up: not tried
    assert smtp_server.data_commands == 4


def test_after_the_last_attempt_it_is_failed_and_renvoyer_sends_it(
    smtp_server: SmtpSandbox, settings, client, django_capture_on_commit_callbacks
):
    from parcauto.accounts.models import StaffRole
    from parcauto.audit.models import AuditEvent
    from tests.backoffice.staff import staff_member

    settings.PARCAUTO_EMAIL_MAX_ATTEMPTS = 3
    smtp_server.refuse_always = True
    with time_machine.travel(START, tick=False):
        (email,) = _queue(1, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    _retry_job_every_minute(24 * 60)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.FAILED, 3, None)
    assert smtp_server.data_commands == 3  # and no fourth, however long the job runs

    smtp_server.refuse_always = False
    client.force_login(staff_member(StaffRole.Role.OPERATOR_ADMIN, email="admin@parcauto.ca"))
    path = f"/admin/notifications/outboundemail/{email.pk}/change/"
    page = client.get(path)
    assert "Renvoyer" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path, {"CHANGE_FORM-action": "resend", "_selected_action": [email.pk]}, follow=True
        )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["1 message remis en file d'attente."]
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert smtp_server.message_ids() == [email.message_id]
    assert AuditEvent.objects.filter(action="admin.notifications.outboundemail.resend").count() == 1


def test_renvoyer_leaves_a_sent_message_alone(
    smtp_server: SmtpSandbox, django_capture_on_commit_callbacks
):
    from parcauto.notifications.services import email_resend

    (email,) = _queue(1, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert email_resend(email_ids=[email.pk]) == 0
    assert smtp_server.message_ids() == [email.message_id]


def test_a_recipient_refused_for_good_is_failed_at_once(
    smtp_server: SmtpSandbox, django_capture_on_commit_callbacks
):
    smtp_server.unknown_recipients = {"personne0@example.com"}
    (email,) = _queue(1, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert "550" in email.last_error


# --- Workers that die --------------------------------------------------------------------


def test_a_worker_killed_after_the_server_accepted_loses_nothing_and_the_copy_says_so(
    smtp_server: SmtpSandbox, settings, django_capture_on_commit_callbacks
):
    """The one gap: the server has it, our SENT never came. It is sent again after the
    time-out, with the same Message-ID, so the duplicate is recognisable."""
    settings.PARCAUTO_EMAIL_SENDING_TIMEOUT_SECONDS = 600
    with time_machine.travel(START, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            email = email_queue(
                to="a@example.com",
                subject="Nouveau mot de passe",
                body_text=f"Ouvrez {LINK}",
                secrets=[LINK],
            )
        with (
            mock.patch("parcauto.notifications.delivery._sent", side_effect=WorkerKilled),
            pytest.raises(WorkerKilled),
        ):
            email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == Status.SENDING and email.sealed
    assert len(smtp_server.received) == 1

    _retry_job_every_minute(9)  # not yet: a send may still be under way
    assert len(smtp_server.received) == 1
    _retry_job_every_minute(2, since=START + dt.timedelta(minutes=9))

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.sealed == ""  # erased once sent
    assert smtp_server.message_ids() == [email.message_id, email.message_id]
    assert all(LINK in m.get_content() for m in smtp_server.received)  # the sealed copy


def test_a_worker_killed_before_the_server_answered_loses_nothing(
    smtp_server: SmtpSandbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            email = email_queue(to="a@example.com", subject="Avis", body_text="Bonjour")
        with (
            mock.patch("smtplib.SMTP.sendmail", side_effect=WorkerKilled),
            pytest.raises(WorkerKilled),
        ):
            email_deliver(email_id=email.pk)
    assert OutboundEmail.objects.get().status == Status.SENDING
    _retry_job_every_minute(15)
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert smtp_server.message_ids() == [email.message_id]  # exactly once


def test_a_message_whose_task_was_lost_is_sent_by_the_job(
    smtp_server: SmtpSandbox, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(START, tick=False),
        django_capture_on_commit_callbacks(execute=False),  # the process died at commit
    ):
        email = email_queue(to="a@example.com", subject="Avis", body_text="Bonjour")
    _retry_job_every_minute(15)
    assert smtp_server.message_ids() == [email.message_id]


def test_the_last_attempt_stuck_in_sending_ends_failed(
    smtp_server: SmtpSandbox, settings, django_capture_on_commit_callbacks
):
    settings.PARCAUTO_EMAIL_MAX_ATTEMPTS = 1
    with time_machine.travel(START, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            email = email_queue(to="a@example.com", subject="Avis", body_text="Bonjour")
        assert email_claim(email_id=email.pk, now=START)  # and the worker died
    _retry_job_every_minute(15)
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "may have gone out" in email.last_error
    assert smtp_server.received == []


# --- Two workers -------------------------------------------------------------------------


def test_only_one_claim_takes_a_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_queue(to="a@example.com", subject="Avis", body_text="Bonjour")
    assert email_claim(email_id=email.pk, now=START) is True
    assert email_claim(email_id=email.pk, now=START) is False


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_messages_send_each_once(smtp_server: SmtpSandbox):
    emails = [
        email_queue(to=f"p{n}@example.com", subject=f"Avis {n}", body_text="x") for n in range(12)
    ]
    # (Each was sent by its own task at commit: make them due again, untried.)
    OutboundEmail.objects.update(status=Status.QUEUED, attempts=0, sent_at=None)
    smtp_server.received.clear()
    outcomes: list[Outcome] = []

    def worker() -> None:
        try:
            outcomes.extend(email_deliver(email_id=e.pk) for e in emails)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(outcomes) == {Outcome.SENT: 12, Outcome.SKIPPED: 12}
    assert smtp_server.message_ids() == sorted(e.message_id for e in emails)
