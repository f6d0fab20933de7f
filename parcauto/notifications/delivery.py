"""Sending one outbox message through the mailer, at least once and almost always once.

A message goes QUEUED -> SENDING -> SENT. Taking it is one conditional UPDATE
(`status = QUEUED` -> SENDING, with `sending_since` and one more attempt), committed
before the mail server is called, so two workers never send the same message: the one
whose UPDATE changed no row stops there. After the server accepted it, a second UPDATE
marks it SENT and erases its sealed copy.

A refusal or an unreachable server puts it back in the queue with a delay that doubles
at each attempt (`PARCAUTO_EMAIL_RETRY_SECONDS`, then twice that...); after
`PARCAUTO_EMAIL_MAX_ATTEMPTS` it is FAILED, listed in the back office, which can send it
again ("Renvoyer"). A recipient the server refuses for good (5xx) is FAILED at once.

The trade-off, said plainly: a worker that dies after the server accepted the message
and before the SENT UPDATE leaves it SENDING; after `PARCAUTO_EMAIL_SENDING_TIMEOUT_SECONDS`
the retry job (`retry`) queues it again, and it goes out a second time. No protocol
closes that gap (the SMTP server's "250 OK" and our commit cannot be one transaction),
so we choose a rare duplicate over a lost message, which for the PAD notices the law
requires is the only acceptable side. Every attempt carries the row's own Message-ID
header, so a duplicate is recognisable (mail systems and people can drop the second).
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import logging
import smtplib
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import F

from parcauto.core.clock import now as clock_now

from .models import OutboundEmail
from .sealing import SealBroken, Sendable, unseal

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not QUEUED: sent, being sent by another worker, or FAILED
    NOT_SENT = "not sent"  # refused or unreachable: queued again, or FAILED


def email_deliver(*, email_id: int) -> Outcome:
    """Send one QUEUED message now, if no other worker has taken it.

    Reads the clock at each step: the mail server's answer takes real time.
    """
    if not email_claim(email_id=email_id, now=clock_now()):
        return Outcome.SKIPPED
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        message = _message(email)
    except SealBroken:
        # Its links were HMACs of a key that is gone: they would not work either.
        _failed(email, "The sealed copy can no longer be opened (SECRET_KEY changed).")
        return Outcome.NOT_SENT
    try:
        message.send()
    except Exception as error:  # refused, unreachable, timed out, or a bug: recorded
        email_attempt_failed(email=email, error=error, now=clock_now())
        return Outcome.NOT_SENT
    _sent(email_id, now=clock_now())
    return Outcome.SENT


def email_claim(*, email_id: int, now: dt.datetime) -> bool:
    """Take a QUEUED message for sending: True for exactly one caller."""
    return bool(
        OutboundEmail.objects.filter(pk=email_id, status=Status.QUEUED).update(
            status=Status.SENDING, sending_since=now, attempts=F("attempts") + 1
        )
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a message refused `attempts` times waits before its next attempt."""
    return dt.timedelta(seconds=settings.PARCAUTO_EMAIL_RETRY_SECONDS * 2 ** (attempts - 1))


def email_attempt_failed(*, email: OutboundEmail, error: Exception, now: dt.datetime) -> None:
    """Back in the queue after its delay, or FAILED when no attempt is left."""
    logger.warning("e-mail %s not sent (attempt %s): %r", email.pk, email.attempts, error)
    if _refused_for_good(error) or email.attempts >= settings.PARCAUTO_EMAIL_MAX_ATTEMPTS:
        _failed(email, repr(error))
        return
    OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=Status.QUEUED,
        sending_since=None,
        next_attempt_at=now + retry_delay(email.attempts),
        last_error=repr(error)[:2000],
    )


def _refused_for_good(error: Exception) -> bool:
    # Only a recipient refused with a permanent code: a 5xx to the whole session (bad
    # credentials, a relay policy) is the operator's to fix, and retrying helps then.
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    return all(code >= 500 for code, _reason in error.recipients.values())


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    sendable = unseal(email.sealed) if email.sealed else _stored(email)
    message = EmailMultiAlternatives(
        subject=sendable.subject,
        body=sendable.body_text,
        from_email=email.from_email,
        to=[email.to],
        headers={"Message-ID": email.message_id},
        connection=mailers.default,
    )
    if sendable.body_html:
        message.attach_alternative(sendable.body_html, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    for sealed in sendable.attachments:
        message.attach(_part(sealed))
    return message


def _part(attachment: dict[str, str]) -> MIMEPart:
    """A file of the sealed copy; inline (`cid:`) when it has a content id."""
    maintype, _, subtype = attachment["mimetype"].partition("/")
    part = MIMEPart()
    part.set_content(
        base64.b64decode(attachment["content"]),
        maintype=maintype,
        subtype=subtype or "octet-stream",
        disposition="inline" if attachment["content_id"] else "attachment",
        filename=attachment["filename"],
        cid=f"<{attachment['content_id']}>" if attachment["content_id"] else None,
    )
    return part


def _stored(email: OutboundEmail) -> Sendable:
    return Sendable(subject=email.subject, body_text=email.body_text, body_html=email.body_html)


def _sent(email_id: int, *, now: dt.datetime) -> None:
    # Whatever happened meanwhile (the retry job took it back after a long send), the
    # server has it: SENT, and the sealed copy goes.
    OutboundEmail.objects.filter(pk=email_id).exclude(status=Status.SENT).update(
        status=Status.SENT, sent_at=now, sending_since=None, next_attempt_at=None, sealed=""
    )


def _failed(email: OutboundEmail, error: str) -> None:
    OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=Status.FAILED,
        sending_since=None,
        next_attempt_at=None,
        last_error=error[:2000],
    )
