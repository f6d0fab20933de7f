"""Sending one queued e-mail through the mailer (the task `deliver_email` calls it)."""

from __future__ import annotations

import base64
from email.message import MIMEPart

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.utils import timezone

from .models import OutboundEmail
from .sealing import SealBroken, Sendable, unseal


def email_deliver(*, email_id: int) -> bool:
    """Send one queued e-mail; a second call for the same e-mail sends nothing.

    A sealed copy is what goes out, and it is erased once sent; a failed attempt keeps
    it for the retry.
    """
    with transaction.atomic():
        claimed = OutboundEmail.objects.filter(
            pk=email_id, status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED]
        ).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now())
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        sendable = _sendable(email)
    except SealBroken:
        # Its links were HMACs of a key that is gone: they would not work either.
        _failed(email, "The sealed copy can no longer be opened (SECRET_KEY changed).")
        return False
    message = EmailMultiAlternatives(
        subject=sendable.subject,
        body=sendable.body_text,
        from_email=email.from_email,
        to=[email.to],
        connection=mailers.default,
    )
    if sendable.body_html:
        message.attach_alternative(sendable.body_html, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    for sealed in sendable.attachments:
        message.attach(_part(sealed))
    try:
        message.send()
    except Exception as error:
        _failed(email, repr(error))
        raise
    OutboundEmail.objects.filter(pk=email_id).update(attempts=email.attempts + 1, sealed="")
    return True


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


def _sendable(email: OutboundEmail) -> Sendable:
    if email.sealed:
        return unseal(email.sealed)
    return Sendable(subject=email.subject, body_text=email.body_text, body_html=email.body_html)


def _failed(email: OutboundEmail, error: str) -> None:
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.FAILED,
        sent_at=None,
        attempts=email.attempts + 1,
        last_error=error[:2000],
    )
