from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcauto.tenants.models import Organization

from .models import OutboundAttachment, OutboundEmail
from .sealing import SealBroken, Sendable, redact, seal, unseal


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def email_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    organization: Organization | None = None,
    template: str = "",
    language: str = "fr",
    attachments: list[Attachment] | None = None,
    dedupe_key: str | None = None,
    secrets: list[str] | None = None,
) -> OutboundEmail:
    """Store a rendered e-mail and deliver it once the current transaction commits.

    With a `dedupe_key`, queuing the same event again returns the first e-mail. With
    `secrets` (the keys of a personal link, the link itself), the stored subject and
    bodies carry a placeholder instead of each of them, and the copy to send is sealed
    until it is sent: nobody who reads the outbox can follow the link.
    """
    from .tasks import deliver_email

    if dedupe_key is not None:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    sendable = Sendable(subject=" ".join(subject.split()), body_text=body_text, body_html=body_html)
    stored, sealed = sendable, ""
    if secrets:
        with translation.override(language):
            placeholder = _("[personal link removed from the stored copy]")
        stored = Sendable(
            subject=redact(sendable.subject, secrets, placeholder),
            body_text=redact(body_text, secrets, placeholder),
            body_html=redact(body_html, secrets, placeholder),
        )
        sealed = seal(sendable)
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            organization=organization,
            template=template,
            dedupe_key=dedupe_key,
            language=language,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            subject=stored.subject,
            body_text=stored.body_text,
            body_html=stored.body_html,
            sealed=sealed,
        )
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(
                email=email, filename=a.filename, content=a.content, mimetype=a.mimetype
            )
            for a in attachments or []
        )
    transaction.on_commit(lambda: deliver_email.enqueue(email_id=email.pk))
    return email


def email_send_template(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str,
    organization: Organization | None = None,
    attachments: list[Attachment] | None = None,
    dedupe_key: str | None = None,
) -> OutboundEmail:
    """Render the `<template>-subject.txt / -body.txt / -body.html` triplet in `language`."""
    base = f"notifications/email/{template}"
    with translation.override(language):
        context = {
            "organization": organization,
            "operator_name": settings.PARCAUTO_OPERATOR_NAME,
            "LANGUAGE_CODE": language,
            **context,
        }
        subject = render_to_string(f"{base}-subject.txt", context)
        body_text = render_to_string(f"{base}-body.txt", context)
        body_html = render_to_string(f"{base}-body.html", context)
    return email_queue(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        organization=organization,
        template=template,
        language=language,
        attachments=attachments,
        dedupe_key=dedupe_key,
    )


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
    try:
        message.send()
    except Exception as error:
        _failed(email, repr(error))
        raise
    OutboundEmail.objects.filter(pk=email_id).update(attempts=email.attempts + 1, sealed="")
    return True


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
